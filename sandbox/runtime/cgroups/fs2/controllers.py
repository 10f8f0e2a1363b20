"""Handing controllers down the v2 tree.

In v2 a cgroup's controller files (memory.max, cpu.max, pids.max) exist only if its parent
lists the controller in ``cgroup.subtree_control``, and a parent can only list what its own
parent handed it. So every ancestor from the root down to our parent has to enable them.
"""

from __future__ import annotations

import errno

from sandbox.errors import CgroupError, CgroupFileError
from sandbox.runtime.cgroups.files import CgroupFiles

WANTED = ("cpu", "memory", "pids")


def enable_controllers(io: CgroupFiles, dir: str, wanted: tuple[str, ...] = WANTED) -> None:
    """Enable, for the children of ``dir``, each wanted controller ``dir`` has and does not
    hand down yet. Ones the kernel does not offer are left out here; ``apply`` reports them
    if a limit needs them."""
    available = io.read_file(dir, "cgroup.controllers").split()
    enabled = io.read_file(dir, "cgroup.subtree_control").split()
    missing = [c for c in wanted if c in available and c not in enabled]
    if not missing:
        return
    try:
        io.write_file(dir, "cgroup.subtree_control", " ".join("+" + c for c in missing))
    except CgroupFileError as e:
        if e.errno == errno.EBUSY:
            e.hint = (f"{dir} has processes of its own; v2 lets only a cgroup without processes "
                      "hand controllers to its children (the no-internal-processes rule)")
        elif e.errno == errno.ENOENT:
            e.hint = "a controller is not offered by the parent; see its cgroup.controllers"
        raise


def controller_missing(io: CgroupFiles, root: str, dir: str, controller: str,
                       cause: CgroupFileError) -> CgroupError:
    """The error for a limit whose controller file is absent, saying which case it is."""
    if not io.exists(dir):
        return CgroupError("the cgroup does not exist", dir, "create() it before applying limits")
    offered = (io.read_file(root, "cgroup.controllers").split()
               if io.exists(root, "cgroup.controllers") else [])
    if controller not in offered:
        hint = (f"this kernel offers only: {' '.join(offered) or 'nothing'}; "
                f"{controller} may be disabled at boot (cgroup_disable=) or held by cgroup v1")
    else:
        hint = f"enable it in the parents' cgroup.subtree_control (+{controller})"
    err = CgroupError(f"the {controller} controller is not enabled here ({cause.path})", dir, hint)
    err.__cause__ = cause
    return err
