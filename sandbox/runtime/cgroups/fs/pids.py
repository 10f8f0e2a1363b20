"""v1 pids: pids.max and pids.current (same files as v2)."""

from __future__ import annotations

from sandbox.runtime.cgroups.convert import pids_value
from sandbox.runtime.cgroups.files import CgroupFiles
from sandbox.runtime.resources import Resources


def set_pids(io: CgroupFiles, dir: str, r: Resources) -> None:
    if r.pids_limit is not None:
        io.write_file(dir, "pids.max", pids_value(r.pids_limit))
