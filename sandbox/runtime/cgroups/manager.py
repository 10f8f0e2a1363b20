"""The one interface the runtime codes against, and the factory that picks a backend."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol, runtime_checkable

from sandbox.linux.trace import NULL_TRACER, Tracer
from sandbox.runtime.cgroups.files import CgroupFiles
from sandbox.runtime.cgroups.mode import CgroupMode, detect_mode
from sandbox.runtime.cgroups.names import relative_path
from sandbox.runtime.cgroups.stats import CgroupStats
from sandbox.runtime.resources import Resources


@runtime_checkable
class CgroupManager(Protocol):
    name: str
    """The cgroup's path below each hierarchy's root, e.g. ``sandbox/<container-id>``."""
    mode: CgroupMode

    def create(self) -> None:
        """mkdir in every hierarchy, making the parents if missing; existing is fine."""

    def add_process(self, pid: int) -> None:
        """Move ``pid`` in (cgroup.procs of every hierarchy)."""

    def apply(self, resources: Resources) -> None:
        """Set memory, CPU and pids limits; also on a running cgroup (``docker update``)."""

    def freeze(self) -> None:
        """Stop every process; returns once the kernel reports the cgroup frozen."""

    def thaw(self) -> None:
        """Let them run again; returns once the kernel reports it thawed."""

    def is_frozen(self) -> bool: ...

    def stats(self) -> CgroupStats: ...

    def oom_killed(self) -> bool:
        """Whether the OOM killer ended a process in here."""

    def pids(self) -> list[int]:
        """Every process in the cgroup and below it."""

    def kill_all(self, sig: int = 9) -> None:
        """Signal every process, so that none escapes by forking meanwhile."""

    def destroy(self) -> None:
        """rmdir in every hierarchy (waiting briefly for exiting processes); gone is fine."""

    def paths(self) -> dict[str, Path]:
        """Controller -> the cgroup's directory in that controller's hierarchy."""

    def files(self) -> dict[str, str]:
        """The files worth showing (limits, usage, freezer) -> their current values."""


def open_manager(name: str, *, parent: str = "sandbox", tracer: Tracer = NULL_TRACER,
                 root: Path = Path("/sys/fs/cgroup"), mode: CgroupMode | None = None,
                 io: CgroupFiles | None = None, timeout: float = 5.0) -> CgroupManager:
    """A manager for ``<root>/[<controller>/]<parent>/<name>``. Touches nothing until called.

    ``mode`` skips reading the mount table (callers that open many managers detect once);
    ``io`` replaces the file layer (tests); ``timeout`` bounds freezing and removal waits.
    """
    rel = relative_path(parent, name)
    root_s = str(root).rstrip("/") or "/"
    if mode is None:
        mode = detect_mode(root=root_s)
    if mode is CgroupMode.V2:
        from sandbox.runtime.cgroups.fs2.manager import V2Manager

        return V2Manager(rel, root=root_s, io=io or CgroupFiles(tracer), timeout=timeout)
    from sandbox.runtime.cgroups.fs.hierarchies import find_hierarchies, host_hierarchies
    from sandbox.runtime.cgroups.fs.manager import V1Manager

    hierarchies = list(host_hierarchies(root_s)) if io is None else find_hierarchies(io, root_s)
    return V1Manager(rel, root=root_s, io=io or CgroupFiles(tracer), hierarchies=hierarchies, mode=mode,
                     timeout=timeout)
