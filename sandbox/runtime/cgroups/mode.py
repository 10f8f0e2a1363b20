"""Which cgroup layout the host has, decided from its mount table alone.

    v2      cgroup2 mounted at the root (/sys/fs/cgroup): one tree, every controller in it
    v1      one ``cgroup`` mount per hierarchy under the root (memory, cpu,cpuacct, pids …)
    hybrid  the v1 mounts plus a cgroup2 tree (usually <root>/unified) that systemd uses for
            process tracking only; the controllers are all still on the v1 side

``mode_from_mounts`` is pure so tests can feed it any mount table.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from pathlib import Path

from sandbox.errors import CgroupError
from sandbox.linux.proc import MountInfo, parse_mountinfo


class CgroupMode(enum.Enum):
    V1 = "v1"
    V2 = "v2"
    HYBRID = "hybrid"


def mode_from_mounts(mounts: Iterable[MountInfo], root: str = "/sys/fs/cgroup") -> CgroupMode:
    root = root.rstrip("/") or "/"
    below = root + "/"
    top_at_root: MountInfo | None = None
    v1 = False
    unified_below = False
    for m in mounts:
        if m.mount_point == root:
            # mountinfo lists mounts in the order they were made: the last one at a path is
            # the one on top, the one a lookup of the root sees.
            top_at_root = m
        elif m.mount_point.startswith(below):
            if m.fstype == "cgroup":
                v1 = True
            elif m.fstype == "cgroup2":
                unified_below = True
    if top_at_root is not None and top_at_root.fstype == "cgroup2":
        return CgroupMode.V2
    if v1:
        return CgroupMode.HYBRID if unified_below else CgroupMode.V1
    raise CgroupError(
        "no cgroup hierarchy is mounted", root,
        "mount one: `mount -t cgroup2 none /sys/fs/cgroup` (or boot a systemd distribution)",
    )


def detect_mode(mountinfo: str | None = None, *, root: Path | str = Path("/sys/fs/cgroup")) -> CgroupMode:
    """The mode of this host (reads /proc/self/mountinfo unless ``mountinfo`` text is given)."""
    if mountinfo is None:
        with open("/proc/self/mountinfo") as f:
            mountinfo = f.read()
    return mode_from_mounts(parse_mountinfo(mountinfo), str(root))
