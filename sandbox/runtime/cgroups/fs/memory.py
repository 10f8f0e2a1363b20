"""v1 memory: memory.limit_in_bytes and memory.memsw.limit_in_bytes (memory + swap)."""

from __future__ import annotations

import errno

from sandbox.errors import CgroupError, CgroupFileError
from sandbox.runtime.cgroups.common import read_optional
from sandbox.runtime.cgroups.convert import memory_value
from sandbox.runtime.cgroups.files import CgroupFiles
from sandbox.runtime.cgroups.stats import parse_keyed, parse_limit
from sandbox.runtime.resources import Resources

_LIMIT = "memory.limit_in_bytes"
_MEMSW = "memory.memsw.limit_in_bytes"


def set_memory(io: CgroupFiles, dir: str, r: Resources) -> None:
    mem, swap = r.memory_limit, r.memory_swap
    if swap and not io.exists(dir, _MEMSW):
        if swap != -1:
            raise CgroupError(f"cannot limit memory+swap to {swap}: this kernel does not account swap",
                              f"{dir}/{_MEMSW}", "boot with swapaccount=1, or leave memory_swap unset")
        swap = None  # "no swap limit" holds anyway
    if not swap:
        if mem is not None:
            _write_limit(io, dir, mem)
        return
    # The kernel keeps limit_in_bytes <= memsw.limit_in_bytes after every single write, so
    # when memsw goes up it has to be written first, and when it goes down, last.
    current = parse_limit(io.read_file(dir, _MEMSW))
    raising = swap == -1 or (current is not None and swap > current)
    memsw = "-1" if swap == -1 else str(swap)
    if raising:
        io.write_file(dir, _MEMSW, memsw)
    if mem is not None:
        _write_limit(io, dir, mem)
    if not raising:
        io.write_file(dir, _MEMSW, memsw)


def _write_limit(io: CgroupFiles, dir: str, mem: int) -> None:
    try:
        io.write_file(dir, _LIMIT, memory_value(mem, "-1"))
    except CgroupFileError as e:
        if e.errno == errno.EBUSY:
            # v1 tries to reclaim down to the new limit and gives up with EBUSY.
            usage = read_optional(io, dir, "memory.usage_in_bytes") or "?"
            raise CgroupError(f"memory limit {mem} is below what the cgroup uses and the kernel could "
                              f"not reclaim ({usage} bytes in use; writing {_LIMIT})", e.path,
                              "choose a limit above the current usage (see `docker stats`)") from e
        if e.errno == errno.EINVAL:
            memsw = read_optional(io, dir, _MEMSW)
            raise CgroupError(f"memory limit {mem} refused by {_LIMIT} (memory+swap limit is {memsw})",
                              e.path, "the memory limit cannot exceed memory+swap: raise memory_swap too") from e
        raise


def oom_kills(io: CgroupFiles, dir: str) -> int:
    # The oom_kill counter appeared in Linux 4.13; older kernels only say under_oom.
    return parse_keyed(read_optional(io, dir, "memory.oom_control") or "").get("oom_kill", 0)
