"""Finding the v1 hierarchies under the cgroup root.

Each hierarchy is a ``cgroup`` mount named after its controllers: ``memory``, ``pids``, or
``cpu,cpuacct`` when comounted, often with ``cpu`` and ``cpuacct`` symlinks to it. We list
the root once and follow symlinks to one entry per hierarchy, so a comounted pair is one
directory to mkdir, not two.
"""

from __future__ import annotations

import functools
import os

from sandbox.errors import CgroupError
from sandbox.records import Record
from sandbox.runtime.cgroups.files import CgroupFiles

_NAMED = {"systemd": "name=systemd"}
"""Hierarchies without a controller that systemd (and runc) track processes in."""


class Hierarchy(Record, frozen=True):
    mount: str
    """The hierarchy's root directory, symlinks resolved."""
    controllers: tuple[str, ...]
    """What it is mounted with, from its directory name: ("cpu", "cpuacct"), ("name=systemd",)."""


def find_hierarchies(io: CgroupFiles, root: str) -> list[Hierarchy]:
    try:
        with os.scandir(root) as it:
            # d_type answers is_dir/is_symlink without a stat per entry.
            entries = sorted((e.name, e.path, e.is_symlink(), e.is_dir()) for e in it)
    except OSError as e:
        raise CgroupError(f"cannot list the cgroup root ({e.strerror})", root) from None
    seen: dict[str, Hierarchy] = {}
    for name, path, is_link, is_dir in entries:
        if is_link:
            path = os.path.normpath(os.path.join(root, os.readlink(path)))
        elif not is_dir:
            continue
        if path in seen:
            continue
        # A v1 hierarchy has cgroup.procs at its top and no cgroup.controllers (which
        # would make it the hybrid host's cgroup2 tree); the tmpfs at the root has neither.
        if not io.exists(path, "cgroup.procs") or io.exists(path, "cgroup.controllers"):
            continue
        base = os.path.basename(path)
        seen[path] = Hierarchy(path, tuple(_NAMED.get(c, c) for c in base.split(",")))
    if not seen:
        raise CgroupError("no cgroup v1 hierarchy found", root,
                          "is this a cgroup v2 host? let open_manager detect the mode")
    return list(seen.values())


@functools.lru_cache(maxsize=8)
def host_hierarchies(root: str) -> tuple[Hierarchy, ...]:
    """``find_hierarchies`` on the real cgroupfs, remembered per root: hierarchies are
    mounted at boot and stay, and the runtime opens a manager for every state query."""
    return tuple(find_hierarchies(CgroupFiles(), root))
