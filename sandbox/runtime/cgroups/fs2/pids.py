"""v2 pids: pids.max and pids.current."""

from __future__ import annotations

import errno

from sandbox.errors import CgroupFileError
from sandbox.runtime.cgroups.convert import pids_value
from sandbox.runtime.cgroups.files import CgroupFiles
from sandbox.runtime.cgroups.fs2.controllers import controller_missing
from sandbox.runtime.resources import Resources


def set_pids(io: CgroupFiles, root: str, dir: str, r: Resources) -> None:
    if r.pids_limit is None:
        return
    try:
        io.write_file(dir, "pids.max", pids_value(r.pids_limit))
    except CgroupFileError as e:
        if e.errno == errno.ENOENT:
            raise controller_missing(io, root, dir, "pids", e) from None
        raise
