"""v2 memory: memory.max, memory.swap.max; usage in memory.current, OOM kills in memory.events."""

from __future__ import annotations

import errno

from sandbox.errors import CgroupError, CgroupFileError
from sandbox.runtime.cgroups.common import read_optional
from sandbox.runtime.cgroups.convert import memory_value, swap_max_v2
from sandbox.runtime.cgroups.files import CgroupFiles
from sandbox.runtime.cgroups.fs2.controllers import controller_missing
from sandbox.runtime.cgroups.stats import parse_keyed
from sandbox.runtime.resources import Resources


def set_memory(io: CgroupFiles, root: str, dir: str, r: Resources) -> None:
    if r.memory_limit is not None:
        if r.memory_limit:
            check_fits(io, dir, r.memory_limit)
        try:
            io.write_file(dir, "memory.max", memory_value(r.memory_limit, "max"))
        except CgroupFileError as e:
            if e.errno == errno.ENOENT:
                raise controller_missing(io, root, dir, "memory", e) from None
            raise
    if r.memory_swap is not None:
        value = swap_max_v2(r.memory_swap, r.memory_limit)
        if value is None:
            return
        try:
            io.write_file(dir, "memory.swap.max", value)
        except CgroupFileError as e:
            # No swap accounting: "no swap limit" is then true anyway; a limit is not.
            if e.errno == errno.ENOENT and value == "max":
                return
            if e.errno == errno.ENOENT:
                e.hint = "this kernel does not account swap (CONFIG_SWAP, swapaccount); leave memory_swap unset"
            raise


def check_fits(io: CgroupFiles, dir: str, limit: int) -> None:
    """Refuse a limit below what the cgroup cannot give back.

    v2 does not fail such a write: it reclaims what it can and then OOM-kills processes
    until the cgroup fits. A live ``docker update -m`` must not kill the container, so we
    compare first — against usage minus page cache, which the kernel could reclaim.
    """
    current = read_optional(io, dir, "memory.current")
    if not current or limit >= int(current):
        return
    usage = int(current)
    stat = parse_keyed(read_optional(io, dir, "memory.stat") or "")
    needed = usage - stat.get("file", 0)
    if limit >= needed:
        return
    raise CgroupError(f"memory limit {limit} is below the {needed} bytes the cgroup uses and cannot "
                      f"give back (writing memory.max = {limit} would OOM-kill it)", f"{dir}/memory.max",
                      "choose a limit above the current usage (see `docker stats`)")


def oom_kills(io: CgroupFiles, dir: str) -> int:
    return parse_keyed(read_optional(io, dir, "memory.events") or "").get("oom_kill", 0)
