"""v2 freezer: write cgroup.freeze, then wait for cgroup.events to say "frozen 1".

The write only asks; the kernel stops each task at its next return to user space, and a
task in an uninterruptible sleep can take a while. cgroup.events reports when all have.
"""

from __future__ import annotations

import errno

from sandbox.errors import CgroupError, CgroupFileError
from sandbox.runtime.cgroups.common import read_optional
from sandbox.runtime.cgroups.files import CgroupFiles
from sandbox.runtime.cgroups.poll import wait_for
from sandbox.runtime.cgroups.stats import parse_keyed


def set_frozen(io: CgroupFiles, dir: str, frozen: bool, timeout: float) -> None:
    try:
        io.write_file(dir, "cgroup.freeze", "1" if frozen else "0")
    except CgroupFileError as e:
        if e.errno == errno.ENOENT:
            e.hint = ("the cgroup does not exist" if not io.exists(dir)
                      else "the v2 freezer needs Linux 5.2 or later")
        raise
    if wait_for(lambda: is_frozen(io, dir) == frozen, timeout):
        return
    if frozen:
        # Do not leave it half frozen: some tasks stopped, the rest running.
        io.write_file(dir, "cgroup.freeze", "0")
    state = "frozen" if frozen else "thawed"
    raise CgroupError(f"the kernel did not report the cgroup {state} within {timeout:g}s", dir,
                      "a process may be stuck in uninterruptible sleep (state D in ps); try again")


def is_frozen(io: CgroupFiles, dir: str) -> bool:
    events = read_optional(io, dir, "cgroup.events")
    return events is not None and parse_keyed(events).get("frozen", 0) == 1
