"""v1 cpuset: a new cpuset cgroup starts with empty cpuset.cpus and cpuset.mems.

The kernel refuses (ENOSPC) to move a task into a cpuset with no CPUs or memory nodes, so
each new directory, parents included, gets its parent's values before anything joins it.
(``cgroup.clone_children`` would do this only for directories made below a parent with it
set; copying works whatever the parent's setting.)
"""

from __future__ import annotations

from sandbox.runtime.cgroups.files import CgroupFiles


def inherit(io: CgroupFiles, parent: str, child: str) -> None:
    for name in ("cpuset.cpus", "cpuset.mems"):
        if not io.read_file(child, name).strip():
            io.write_file(child, name, io.read_file(parent, name))
