"""Live names (containers, images, volumes, networks) for completion, kept briefly.

Completion runs in prompt_toolkit's completer thread, so a first fetch may block there
without blocking typing; after that a stale answer is served at once while a background
thread refreshes it ("stale while revalidate"). A failed fetch (engine down, an engine
without volumes) is an empty list, remembered for one TTL so a dead socket is not dialled
on every keystroke.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sandbox.errors import SandboxError

from .kinds import LIVE_KINDS

Fetch = Callable[[str], list[str]]

DEFAULT_TTL = 2.0
"""Seconds a list of names is fresh: long enough to complete a line, short enough that a
container made a moment ago in another terminal shows up."""


@dataclass
class _Entry:
    names: tuple[str, ...]
    fetched_at: float


@dataclass
class NameCache:
    fetch: Fetch
    ttl: float = DEFAULT_TTL
    clock: Callable[[], float] = time.monotonic
    _entries: dict[str, _Entry] = field(default_factory=dict)
    _refreshing: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, kind: str) -> tuple[str, ...]:
        with self._lock:
            entry = self._entries.get(kind)
        if entry is None:
            return self._load(kind)
        if self.clock() - entry.fetched_at > self.ttl:
            self.refresh_in_background(kind)
        return entry.names

    def _load(self, kind: str) -> tuple[str, ...]:
        try:
            names = tuple(sorted(dict.fromkeys(self.fetch(kind))))
        except SandboxError:
            # Nothing to complete from; the toolbar already says why the engine is silent.
            names = ()
        with self._lock:
            self._entries[kind] = _Entry(names, self.clock())
            self._refreshing.discard(kind)
        return names

    def refresh_in_background(self, kind: str) -> None:
        with self._lock:
            if kind in self._refreshing:
                return
            self._refreshing.add(kind)
        threading.Thread(target=self._load, args=(kind,), name=f"names-{kind}", daemon=True).start()

    def prefetch(self, kinds: tuple[str, ...] = LIVE_KINDS) -> None:
        for kind in kinds:
            self.refresh_in_background(kind)

    def invalidate(self) -> None:
        """After a command: what it made or removed should show at the next completion,
        so every list is fetched again now, while the user reads the output. The old
        lists stay as the answer until the new ones are in."""
        with self._lock:
            kinds = list(self._entries)
            for entry in self._entries.values():
                entry.fetched_at = float("-inf")
        for kind in kinds:
            self.refresh_in_background(kind)

    def cached(self, kind: str) -> tuple[str, ...] | None:
        with self._lock:
            entry = self._entries.get(kind)
        return None if entry is None else entry.names


def client_fetch(client: Any) -> Fetch:
    """Fetchers through an EngineClient; volumes and networks go through ``call_json``
    because the client has no typed API for them."""

    def fetch(kind: str) -> list[str]:
        if kind == "container":
            return [n.lstrip("/") for c in client.containers.list(all=True) for n in (c.get("Names") or [])[:1]]
        if kind == "image":
            return [t for i in client.images.list() for t in (i.get("RepoTags") or [])
                    if t and not t.startswith("<none>")]
        if kind == "volume":
            doc = client.call_json("GET", "/volumes") or {}
            return [str(v["Name"]) for v in doc.get("Volumes") or [] if isinstance(v, dict) and v.get("Name")]
        if kind == "network":
            doc = client.call_json("GET", "/networks") or []
            return [str(n["Name"]) for n in doc if isinstance(n, dict) and n.get("Name")]
        return []

    return fetch
