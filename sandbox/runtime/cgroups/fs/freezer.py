"""v1 freezer: freezer.state goes THAWED -> FREEZING -> FROZEN.

Reading freezer.state makes the kernel re-check its tasks, so polling it is how we learn
that all have stopped. A task that was forking while the freeze began can be missed;
writing FROZEN again picks it up (runc retries the same way).
"""

from __future__ import annotations

from sandbox.errors import CgroupError
from sandbox.runtime.cgroups.common import read_optional
from sandbox.runtime.cgroups.files import CgroupFiles
from sandbox.runtime.cgroups.poll import wait_for


def set_frozen(io: CgroupFiles, dir: str, frozen: bool, timeout: float) -> None:
    want = "FROZEN" if frozen else "THAWED"
    io.write_file(dir, "freezer.state", want)

    def done() -> bool:
        state = io.read_file(dir, "freezer.state")
        if state == want:
            return True
        if frozen and state == "FREEZING":
            io.write_file(dir, "freezer.state", want)
        return False

    if wait_for(done, timeout):
        return
    if frozen:
        io.write_file(dir, "freezer.state", "THAWED")
    raise CgroupError(f"the kernel did not report the cgroup {want} within {timeout:g}s", dir,
                      "a process may be stuck in uninterruptible sleep (state D in ps); try again")


def is_frozen(io: CgroupFiles, dir: str) -> bool:
    return read_optional(io, dir, "freezer.state") == "FROZEN"
