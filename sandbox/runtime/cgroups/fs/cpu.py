"""v1 cpu: CFS bandwidth (cpu.cfs_period_us, cpu.cfs_quota_us) and cpu.shares; usage in cpuacct."""

from __future__ import annotations

import errno

from sandbox.errors import CgroupFileError
from sandbox.runtime.cgroups.common import read_int
from sandbox.runtime.cgroups.files import CgroupFiles
from sandbox.runtime.resources import Resources


def set_cpu(io: CgroupFiles, dir: str, r: Resources) -> None:
    quota, period = r.cpu_quota, r.cpu_period
    quota_done = False
    if period:
        try:
            io.write_file(dir, "cpu.cfs_period_us", str(period))
        except CgroupFileError as e:
            # The kernel checks each write on its own: a shorter period under the old quota
            # can exceed what the parent allows. With a new quota coming, set it first.
            if e.errno != errno.EINVAL or not quota:
                raise
            io.write_file(dir, "cpu.cfs_quota_us", str(quota))
            io.write_file(dir, "cpu.cfs_period_us", str(period))
            quota_done = True
    if quota and not quota_done:
        io.write_file(dir, "cpu.cfs_quota_us", str(quota))
    if r.cpu_shares:
        io.write_file(dir, "cpu.shares", str(r.cpu_shares))


def usage_ns(io: CgroupFiles, cpuacct_dir: str | None) -> int:
    if cpuacct_dir is None:
        return 0
    return read_int(io, cpuacct_dir, "cpuacct.usage") or 0
