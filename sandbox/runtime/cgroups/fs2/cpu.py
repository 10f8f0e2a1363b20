"""v2 cpu: cpu.max ("QUOTA PERIOD") and cpu.weight; time used in cpu.stat usage_usec."""

from __future__ import annotations

import errno

from sandbox.errors import CgroupFileError
from sandbox.runtime.cgroups.common import read_optional
from sandbox.runtime.cgroups.convert import cpu_max_v2, cpu_weight_from_shares
from sandbox.runtime.cgroups.files import CgroupFiles
from sandbox.runtime.cgroups.fs2.controllers import controller_missing
from sandbox.runtime.cgroups.stats import parse_keyed
from sandbox.runtime.resources import Resources


def set_cpu(io: CgroupFiles, root: str, dir: str, r: Resources) -> None:
    try:
        period_only = not r.cpu_quota and r.cpu_period
        current = read_optional(io, dir, "cpu.max") if period_only else None
        value = cpu_max_v2(r.cpu_quota, r.cpu_period, current)
        if value is not None:
            io.write_file(dir, "cpu.max", value)
        if r.cpu_shares:
            io.write_file(dir, "cpu.weight", str(cpu_weight_from_shares(r.cpu_shares)))
    except CgroupFileError as e:
        if e.errno == errno.ENOENT:
            raise controller_missing(io, root, dir, "cpu", e) from None
        raise


def usage_ns(io: CgroupFiles, dir: str) -> int:
    # cpu.stat's usage_usec is there even without the cpu controller (it is core accounting).
    return parse_keyed(read_optional(io, dir, "cpu.stat") or "").get("usage_usec", 0) * 1000
