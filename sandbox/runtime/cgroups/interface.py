"""The one interface the runtime codes against; ``open_manager`` picks the backend.

Its own module because a ``Protocol`` needs ``typing`` at run time, and the start path of a
container (which only calls ``open_manager``) does without it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol, runtime_checkable

from sandbox.runtime.cgroups.mode import CgroupMode
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
