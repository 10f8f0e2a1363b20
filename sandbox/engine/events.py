"""The event and trace bus: what happened, for ``docker events`` and for the pictures.

    EventBus   Docker's events (container start, image tag …): a bounded history kept in
               memory and appended to a file under the state root, so ``--since`` still
               works after a restart; live subscribers on the server's event loop.
    TraceBus   the runtime's ``TraceRecord``s (mount, unshare, cgroup writes), live, with a
               short history; ``TraceBus.sink`` is a ``TraceSink`` for ``Tracer``.

Both are fed from any thread (services run in the API's thread pool, the runtime in its
own) and read by async subscribers; a subscriber too slow to keep up is dropped rather
than let the daemon's memory grow.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Generic, TypeVar

from sandbox.engine.http.filters import Filters
from sandbox.errors import InvalidParameter, InvalidReference
from sandbox.linux.trace import TraceRecord
from sandbox.storage.reference import normalize_reference

log = logging.getLogger("sandbox.engine.events")

T = TypeVar("T")

EVENT_HISTORY = 1024
"""Events kept for ``--since`` (dockerd keeps 256)."""
TRACE_HISTORY = 512
SUBSCRIBER_QUEUE = 4096
"""Items a subscriber may fall behind by before it is dropped."""


# -- events -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    type: str
    """container, image, volume, network, daemon"""
    action: str
    """create, start, die, tag, untag, delete, pull, exec_start: sh …"""
    actor_id: str
    attributes: dict[str, str] = field(default_factory=dict)
    time_nano: int = 0
    scope: str = "local"

    def to_docker(self) -> dict[str, Any]:
        """The wire form of ``/events``, with the legacy ``status``/``id``/``from`` fields
        that clients still read for containers and images."""
        out: dict[str, Any] = {}
        if self.type in ("container", "image"):
            out["status"] = self.action
            out["id"] = self.actor_id
            if self.type == "container":
                out["from"] = self.attributes.get("image", "")
        out.update({"Type": self.type, "Action": self.action,
                    "Actor": {"ID": self.actor_id, "Attributes": dict(self.attributes)},
                    "scope": self.scope, "time": self.time_nano // 1_000_000_000, "timeNano": self.time_nano})
        return out

    @classmethod
    def from_docker(cls, d: dict[str, Any]) -> Event:
        actor = d.get("Actor") or {}
        return cls(type=str(d["Type"]), action=str(d["Action"]), actor_id=str(actor.get("ID", "")),
                   attributes={str(k): str(v) for k, v in (actor.get("Attributes") or {}).items()},
                   time_nano=int(d["timeNano"]), scope=str(d.get("scope", "local")))


def _strip_tag(name: str) -> str:
    try:
        return normalize_reference(name).name
    except InvalidReference:
        return name


_NAMED_KEYS = ("container", "volume", "network", "daemon", "plugin", "node", "service", "secret", "config")


def event_matches(filters: Filters, ev: Event) -> bool:
    """dockerd's events filter: every filter key present must match."""
    action = ev.action.split(":", 1)[0]
    if not (filters.exact_match("event", ev.action) or filters.exact_match("event", action)):
        return False
    if not filters.exact_match("type", ev.type) or not filters.exact_match("scope", ev.scope):
        return False
    name = ev.attributes.get("name", "")
    for key in _NAMED_KEYS:
        if not (filters.fuzzy_match(key, ev.actor_id) or filters.fuzzy_match(key, name)):
            return False
    if filters.has("image"):
        image = ev.attributes.get("name" if ev.type == "image" else "image", "")
        candidates = {ev.actor_id, image, _strip_tag(ev.actor_id), _strip_tag(image)}
        if not any(filters.exact_match("image", c) for c in candidates if c):
            return False
    return filters.match_labels(ev.attributes)


_RFC3339 = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$")


def parse_time(value: str | None, name: str = "since") -> int | None:
    """A time as clients send it, in nanoseconds since the epoch: ``1700000000``,
    ``1700000000.000000001`` (the CLI's form) or RFC 3339. None or "" is no time."""
    if value is None or value == "":
        return None
    text = value.strip()
    secs, dot, frac = text.partition(".")
    if secs.isdigit() and (not dot or frac.isdigit()):
        return int(secs) * 1_000_000_000 + int((frac + "000000000")[:9] if dot else 0)
    m = _RFC3339.match(text)
    if m:
        zone = "+00:00" if m.group(3) == "Z" else m.group(3)
        try:
            whole = datetime.fromisoformat(m.group(1) + zone)
        except ValueError:
            m = None
        else:
            return int(whole.timestamp()) * 1_000_000_000 + int(((m.group(2) or "") + "000000000")[:9])
    raise InvalidParameter(f"invalid value for {name}: {value!r}", name,
                           "use unix seconds (1700000000), seconds.nanoseconds, or RFC 3339")


# -- the fan-out both buses use ---------------------------------------------------------------


class Subscription(Generic[T]):
    """What one listener receives: ``replay`` first, then live items until closed.

    Made on the listener's event loop; items arrive through ``call_soon_threadsafe``."""

    def __init__(self, owner: _Fanout[T], match: Callable[[T], bool], replay: list[T]) -> None:
        self._owner = owner
        self._loop = asyncio.get_running_loop()
        self.match = match
        self.replay = replay
        self._items: deque[T] = deque()
        self._wakeup = asyncio.Event()
        self.closed = False
        self.dropped = False

    def offer(self, item: T) -> None:
        """From any thread."""
        self._loop.call_soon_threadsafe(self._put, item)

    def _put(self, item: T) -> None:
        if self.closed:
            return
        if len(self._items) >= SUBSCRIBER_QUEUE:
            log.warning("a subscriber fell %d items behind: dropping it", SUBSCRIBER_QUEUE)
            self.dropped = True
            self._end()
            return
        self._items.append(item)
        self._wakeup.set()

    def end(self) -> None:
        """From any thread: no more items; the listener drains what it has and stops."""
        try:
            self._loop.call_soon_threadsafe(self._end)
        except RuntimeError:
            self.closed = True  # its loop is gone already

    def _end(self) -> None:
        self.closed = True
        self._wakeup.set()

    async def get(self, timeout: float | None = None) -> T | None:
        """The next live item; None when the subscription ended or ``timeout`` ran out."""
        while not self._items:
            if self.closed:
                return None
            self._wakeup.clear()
            try:
                await asyncio.wait_for(self._wakeup.wait(), timeout)
            except TimeoutError:
                return None
        return self._items.popleft()

    async def items(self, deadline: float | None = None) -> AsyncIterator[T]:
        """Replay, then live items until the end or until the monotonic ``deadline``."""
        try:
            for item in self.replay:
                yield item
            while True:
                timeout = None if deadline is None else deadline - time.monotonic()
                if timeout is not None and timeout <= 0:
                    return
                item = await self.get(timeout)
                if item is None:
                    return
                yield item
        finally:
            self.close()

    def close(self) -> None:
        self._owner.unsubscribe(self)
        self.closed = True


class _Fanout(Generic[T]):
    def __init__(self, history: int) -> None:
        self._lock = threading.Lock()
        self.history: deque[T] = deque(maxlen=history)
        self._subs: list[Subscription[T]] = []
        self.closed = False

    def publish(self, item: T) -> None:
        with self._lock:
            self.history.append(item)
            self._after_append(item)
            for sub in list(self._subs):
                if not sub.match(item):
                    continue
                try:
                    sub.offer(item)
                except RuntimeError:  # the subscriber's loop has closed
                    self._subs.remove(sub)

    def _after_append(self, item: T) -> None:
        """Hook for persistence, under the lock."""

    def subscribe(self, match: Callable[[T], bool], replay: Callable[[list[T]], list[T]]) -> Subscription[T]:
        with self._lock:
            sub = Subscription(self, match, replay(list(self.history)))
            if self.closed:
                sub.closed = True
            else:
                self._subs.append(sub)
            return sub

    def unsubscribe(self, sub: Subscription[T]) -> None:
        with self._lock:
            if sub in self._subs:
                self._subs.remove(sub)

    @property
    def listeners(self) -> int:
        with self._lock:
            return len(self._subs)

    def close(self) -> None:
        """End every subscription (daemon shutdown): streaming replies finish cleanly."""
        with self._lock:
            self.closed = True
            subs, self._subs = self._subs, []
        for sub in subs:
            sub.end()


class EventBus(_Fanout[Event]):
    def __init__(self, log_path: Path | None = None, history: int = EVENT_HISTORY) -> None:
        super().__init__(history)
        self.log_path = log_path
        self._file: Any = None
        self._appended = 0

    @classmethod
    def open(cls, log_path: Path, history: int = EVENT_HISTORY) -> EventBus:
        """A bus that remembers: the last ``history`` events of ``log_path`` are loaded,
        and new ones are appended there."""
        bus = cls(log_path, history)
        bus._load()
        return bus

    def _load(self) -> None:
        assert self.log_path is not None
        try:
            data = self.log_path.read_bytes()
        except FileNotFoundError:
            return
        lines = data.splitlines()
        bad = 0
        for line in lines:  # the deque keeps the last ``history`` good ones
            try:
                self.history.append(Event.from_docker(json.loads(line)))
            except (ValueError, KeyError, TypeError):
                bad += 1  # a line cut short by a crash
        if bad:
            log.warning("%s: skipped %d damaged event lines", self.log_path, bad)
        self._appended = len(lines)
        if data and not data.endswith(b"\n"):
            # A crash mid-line: appending would glue the next event to the fragment, so
            # the first append rewrites the file from the history instead.
            self._appended = 2 * (self.history.maxlen or 1)

    def emit(self, type: str, action: str, actor_id: str, attributes: dict[str, str] | None = None) -> Event:
        ev = Event(type, action, actor_id, dict(attributes or {}), time.time_ns())
        self.publish(ev)
        return ev

    def _after_append(self, item: Event) -> None:
        if self.log_path is None:
            return
        try:
            if self._appended >= 2 * (self.history.maxlen or 1):
                self._compact()  # the history already holds ``item``
                return
            if self._file is None:
                self.log_path.parent.mkdir(parents=True, exist_ok=True)
                self._file = open(self.log_path, "a", encoding="utf-8")
            self._file.write(json.dumps(item.to_docker(), separators=(",", ":")) + "\n")
            self._file.flush()
            self._appended += 1
        except OSError as e:
            # Losing the file copy must not lose the event for live listeners.
            log.error("cannot append to the event log %s: %s", self.log_path, e)

    def _compact(self) -> None:
        """Rewrite the file with the history only, so it stays bounded."""
        assert self.log_path is not None
        if self._file is not None:
            self._file.close()
            self._file = None
        tmp = self.log_path.with_name(self.log_path.name + ".tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            f.writelines(json.dumps(ev.to_docker(), separators=(",", ":")) + "\n" for ev in self.history)
        os.replace(tmp, self.log_path)
        self._appended = len(self.history)

    def subscribe_events(self, since_ns: int | None = None, until_ns: int | None = None,
                         filters: Filters | None = None) -> Subscription[Event]:
        """dockerd's rule: history is replayed only when ``since`` or ``until`` is given,
        from ``since`` (inclusive) to ``until`` (inclusive)."""
        flt = filters or Filters()

        def match(ev: Event) -> bool:
            return event_matches(flt, ev)

        def replay(history: list[Event]) -> list[Event]:
            if since_ns is None and until_ns is None:
                return []
            return [ev for ev in history if ev.time_nano >= (since_ns or 0)
                    and (until_ns is None or ev.time_nano <= until_ns) and match(ev)]

        return self.subscribe(match, replay)

    def close(self) -> None:
        super().close()
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None


# -- trace records ----------------------------------------------------------------------------


class TraceBus(_Fanout[TraceRecord]):
    def __init__(self, history: int = TRACE_HISTORY) -> None:
        super().__init__(history)

    def sink(self, rec: TraceRecord) -> None:
        """A ``TraceSink``: ``Tracer(trace_bus.sink)``."""
        self.publish(rec)

    def subscribe_records(self, tail: int = 0, ops: list[str] | None = None) -> Subscription[TraceRecord]:
        """Live records whose op starts with one of ``ops`` (all with none), after the last
        ``tail`` kept ones."""
        prefixes = tuple(ops or ())

        def match(rec: TraceRecord) -> bool:
            return not prefixes or rec.op.startswith(prefixes)

        def replay(history: list[TraceRecord]) -> list[TraceRecord]:
            kept = [r for r in history if match(r)]
            return kept[-tail:] if tail > 0 else []

        return self.subscribe(match, replay)
