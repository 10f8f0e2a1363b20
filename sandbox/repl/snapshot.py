"""``reset``: remove what this shell session created, and nothing else.

At start the shell notes the ids of every container, image, volume and network (in the
background: the first command waits for it). ``reset`` compares with now and removes
the difference — containers first (they hold images, volumes and networks), then new
tags and images, then volumes, then networks. Docker's predefined networks are never
touched, and nothing that existed before the session is.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sandbox.errors import EngineError, ResetUnavailable, SandboxError

PREDEFINED_NETWORKS = frozenset({"bridge", "host", "none"})


@dataclass(frozen=True)
class State:
    containers: dict[str, str] = field(default_factory=dict)
    """id -> name"""
    images: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """id -> tags"""
    volumes: frozenset[str] = frozenset()
    networks: dict[str, str] = field(default_factory=dict)
    """id -> name"""


def _optional(fetch: Callable[[], Any], default: Any) -> Any:
    try:
        return fetch()
    except EngineError:
        return default  # an engine without volumes or networks yet: nothing of that kind


def read_state(client: Any) -> State:
    """Everything there is now; a kind the engine cannot list yet counts as none of it."""
    container_list = _optional(lambda: client.containers.list(all=True), []) or []
    containers = {c["Id"]: ((c.get("Names") or ["/?"])[0]).lstrip("/") for c in container_list}
    image_list = _optional(lambda: client.images.list(all=True), []) or []
    images = {i["Id"]: tuple(t for t in (i.get("RepoTags") or []) if not t.startswith("<none>")) for i in image_list}
    volumes_doc = _optional(lambda: client.call_json("GET", "/volumes"), {}) or {}
    volumes = frozenset(str(v["Name"]) for v in volumes_doc.get("Volumes") or [] if v.get("Name"))
    networks_doc = _optional(lambda: client.call_json("GET", "/networks"), []) or []
    networks = {str(n["Id"]): str(n.get("Name") or "") for n in networks_doc if n.get("Id")}
    return State(containers, images, volumes, networks)


@dataclass
class Plan:
    containers: list[tuple[str, str]] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    images: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    volumes: list[str] = field(default_factory=list)
    networks: list[tuple[str, str]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.containers or self.tags or self.images or self.volumes or self.networks)


def plan_reset(before: State, now: State) -> Plan:
    plan = Plan()
    plan.containers = [(cid, name) for cid, name in now.containers.items() if cid not in before.containers]
    old_tags = {t for tags in before.images.values() for t in tags}
    for iid, tags in now.images.items():
        if iid not in before.images:
            plan.images.append((iid, tags))
        else:
            plan.tags += [t for t in tags if t not in old_tags]
    plan.volumes = sorted(v for v in now.volumes if v not in before.volumes)
    plan.networks = [(nid, name) for nid, name in now.networks.items()
                     if nid not in before.networks and name not in PREDEFINED_NETWORKS]
    return plan


def apply_reset(client: Any, plan: Plan, report: Callable[[str], None]) -> list[SandboxError]:
    """Remove what ``plan`` lists; goes on past a failure and returns the failures."""
    failures: list[SandboxError] = []

    def attempt(what: str, action: Callable[[], object]) -> None:
        try:
            action()
        except SandboxError as err:
            failures.append(err)
            report(f"could not remove {what}: {err.message}")
        else:
            report(f"removed {what}")

    for cid, name in plan.containers:
        attempt(f"container {name}", lambda cid=cid: client.containers.remove(cid, force=True, v=True))
    for tag in plan.tags:
        attempt(f"tag {tag}", lambda tag=tag: client.images.remove(tag))
    for iid, tags in plan.images:
        label = ", ".join(tags) or iid.split(":")[-1][:12]
        attempt(f"image {label}", lambda iid=iid: client.images.remove(iid, force=True))
    for volume in plan.volumes:
        attempt(f"volume {volume}", lambda volume=volume: client.call("DELETE", f"/volumes/{volume}"))
    for nid, name in plan.networks:
        attempt(f"network {name}", lambda nid=nid: client.call("DELETE", f"/networks/{nid}"))
    return failures


class Snapshot:
    """The state at the start of the session, taken once, in the background."""

    def __init__(self, read: Callable[[], State]) -> None:
        self._read = read
        self._state: State | None = None
        self._error: SandboxError | None = None
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._started = False

    def start(self) -> None:
        self._started = True
        threading.Thread(target=self._take, name="session-snapshot", daemon=True).start()

    def _take(self) -> None:
        with self._lock:
            if self._state is None:
                try:
                    self._state = self._read()
                    self._error = None
                except SandboxError as err:
                    self._error = err
        self._done.set()

    def ensure(self, timeout: float = 5.0) -> State | None:
        """Before a command: the snapshot, taking it now if the engine was not there at
        start (whatever exists before the first command is not the session's)."""
        if self._started:
            self._done.wait(timeout)
        if self._state is None:
            self._take()
        return self._state

    def state(self) -> State:
        state = self.ensure()
        if state is None:
            problem = self._error.message if self._error else "the engine never answered"
            raise ResetUnavailable(f"there is no record of what existed before this session ({problem})")
        return state
