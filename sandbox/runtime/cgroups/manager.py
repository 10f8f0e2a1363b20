"""The factory that picks a cgroup backend (the interface is in ``interface``)."""

from __future__ import annotations

from pathlib import Path

from sandbox.linux.trace import NULL_TRACER, Tracer
from sandbox.runtime.cgroups.files import CgroupFiles
from sandbox.runtime.cgroups.mode import CgroupMode, detect_mode
from sandbox.runtime.cgroups.names import relative_path

# Not typing.TYPE_CHECKING: importing typing is part of every container start.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from sandbox.runtime.cgroups.interface import CgroupManager


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
