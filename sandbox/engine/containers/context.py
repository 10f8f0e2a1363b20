"""What every part of the container service shares: the store, the runtime, the records,
the event callback, and the lock that serialises forks.

Why a fork lock: the runtime forks a shim per container (and a helper per exec) from this
multi-threaded process, and a forked child keeps every descriptor open at that moment. A
shim forked while another container's output pipe is still open here would hold that
pipe's write end for its whole life, and the other container's output would never end.
Forking one at a time, and closing the children's ends before letting go, prevents it.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sandbox.config import Settings
from sandbox.engine.containers.files import ContainerFiles
from sandbox.engine.containers.registry import Container, Registry

if TYPE_CHECKING:
    from sandbox.engine.containers.execs import ExecTable
    from sandbox.engine.volumes import VolumeService
    from sandbox.network import NetworkManager
    from sandbox.runtime.runtime import Runtime
    from sandbox.storage import Store

Emit = Callable[[str, str, str, dict[str, str]], None]
"""emit(type, action, id, attributes): one Docker event."""


@dataclass(eq=False)
class Engine:
    settings: Settings
    store: Store
    runtime: Runtime
    emit: Emit
    clock: Callable[[], float] = time.time
    files: ContainerFiles = field(init=False)
    registry: Registry = field(default_factory=Registry)
    fork_lock: threading.Lock = field(default_factory=threading.Lock)
    """Held around a runtime call that forks the engine itself, when the runtime has no
    fork server: the child starts with every descriptor open at that moment, including the
    ends another thread is making for its own container, and holds them until it closes
    what it does not need. Take it through ``forking()``."""
    execs: ExecTable = field(init=False)
    volumes: VolumeService | None = None
    """Named and anonymous volumes; None: Binds, Mounts and Tmpfs are stored and ignored."""
    networks: NetworkManager | None = None
    """Bridges, endpoints, ports; None: every container gets only a loopback interface."""
    closed: bool = False
    """Set by ``ContainerService.close``: watchers that wake up afterwards leave things be."""

    def __post_init__(self) -> None:
        from sandbox.engine.containers.execs import ExecTable

        self.files = ContainerFiles(self.settings.root)
        self.execs = ExecTable()

    def forking(self) -> contextlib.AbstractContextManager[object]:
        """``fork_lock`` when the runtime forks the engine for a shim or an exec helper;
        nothing when its fork server does (each child gets the descriptors it was given,
        and no others), so creates and execs of different containers run side by side."""
        return self.fork_lock if self.runtime.forks_caller else contextlib.nullcontext()

    def save(self, c: Container, durable: bool = False) -> None:
        self.files.save(c.rec, durable)

    def event(self, c: Container, action: str, **extra: str) -> None:
        """A container event with dockerd's attributes: its labels, image and name."""
        attrs = {str(k): str(v) for k, v in (c.rec.config.get("Labels") or {}).items()}
        attrs["image"] = str(c.rec.config.get("Image") or "")
        attrs["name"] = c.rec.name.lstrip("/")
        attrs.update(extra)
        self.emit("container", action, c.id, attrs)
