"""The engine's containers in memory: by id, by name, and by id prefix.

Lock order: a container's own lock may be held while taking the registry's lock, never the
other way round. The registry's lock guards only the two dictionaries and is held briefly.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sandbox.engine.containers.record import Record
from sandbox.engine.containers.waiters import Waiters
from sandbox.errors import ContainerNameConflict, InvalidParameter, NoSuchContainer

if TYPE_CHECKING:
    from sandbox.runtime.spec import Spec


@dataclass(eq=False)
class Container:
    """A record plus what exists only while the engine runs."""

    rec: Record
    lock: threading.RLock = field(default_factory=threading.RLock)
    waiters: Waiters = field(default_factory=Waiters)
    prepared: bool = False
    """A runtime container exists whose init waits to be started (attach happens then)."""
    watched: bool = False
    """An exit watcher thread is blocked on the runtime container."""
    restart_timer: threading.Timer | None = None
    restart_delay: float = 0.0
    """The back-off before the last policy restart (seconds), doubled each time."""
    stopping: bool = False
    """A stop or rm is in progress: the exit it causes must not trigger a restart."""
    removed: bool = False
    checked_spec: tuple[Any, Spec] | None = None
    """(inputs, spec) of the spec built at create to check the container; the first
    ``prepare`` uses it if its inputs are still the same (``lifecycle._spec_to_run``)."""

    @property
    def id(self) -> str:
        return self.rec.id


class Registry:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_id: dict[str, Container] = {}
        self._names: dict[str, str] = {}
        """"/name" -> container id (reserved during create before the container exists)."""

    def name_taken(self, name: str) -> bool:
        with self._lock:
            return name in self._names

    def id_taken(self, cid: str) -> bool:
        with self._lock:
            return cid in self._by_id

    def reserve(self, name: str, cid: str) -> None:
        with self._lock:
            holder = self._names.get(name)
            if holder is not None and holder != cid:
                raise ContainerNameConflict(name, holder)
            self._names[name] = cid

    def release(self, name: str, cid: str) -> None:
        with self._lock:
            if self._names.get(name) == cid:
                del self._names[name]

    def add(self, c: Container) -> None:
        with self._lock:
            self._by_id[c.id] = c
            self._names[c.rec.name] = c.id

    def discard(self, c: Container) -> None:
        with self._lock:
            self._by_id.pop(c.id, None)
            if self._names.get(c.rec.name) == c.id:
                del self._names[c.rec.name]

    def rename(self, c: Container, new: str) -> None:
        """Move the name; the caller holds ``c.lock`` and updates the record."""
        with self._lock:
            holder = self._names.get(new)
            if holder is not None and holder != c.id:
                raise ContainerNameConflict(new, holder)
            if self._names.get(c.rec.name) == c.id:
                del self._names[c.rec.name]
            self._names[new] = c.id

    def all(self) -> list[Container]:
        with self._lock:
            return list(self._by_id.values())

    def get(self, ref: str) -> Container:
        """dockerd's lookup: the full id, then the name, then a unique id prefix."""
        if not isinstance(ref, str) or not ref:
            raise NoSuchContainer(str(ref))
        with self._lock:
            found = self._by_id.get(ref)
            if found is not None:
                return found
            name = ref if ref.startswith("/") else "/" + ref
            cid = self._names.get(name)
            if cid is not None and cid in self._by_id:
                return self._by_id[cid]
            if all(ch in "0123456789abcdef" for ch in ref):
                matches = [c for i, c in self._by_id.items() if i.startswith(ref)]
                if len(matches) == 1:
                    return matches[0]
                if len(matches) > 1:
                    raise InvalidParameter(f"multiple IDs found with provided prefix: {ref}", "id",
                                           "give more characters of the id, or the name")
        raise NoSuchContainer(ref)
