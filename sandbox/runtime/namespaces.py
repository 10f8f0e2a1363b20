"""Namespace types of the OCI spec and the clone flags they map to."""

from __future__ import annotations

from sandbox.linux.syscalls import (
    CLONE_NEWCGROUP,
    CLONE_NEWIPC,
    CLONE_NEWNET,
    CLONE_NEWNS,
    CLONE_NEWPID,
    CLONE_NEWUTS,
)
from sandbox.records import Record, field

FLAGS: dict[str, int] = {
    "pid": CLONE_NEWPID, "network": CLONE_NEWNET, "mount": CLONE_NEWNS,
    "ipc": CLONE_NEWIPC, "uts": CLONE_NEWUTS, "cgroup": CLONE_NEWCGROUP,
}
PROC_NAMES: dict[str, str] = {
    "pid": "pid", "network": "net", "mount": "mnt", "ipc": "ipc", "uts": "uts", "cgroup": "cgroup",
}

# setns into an existing namespace happens in this order: the mount namespace last, since
# after entering it the other namespaces' /proc paths may no longer be reachable.
_JOIN_ORDER = ("ipc", "uts", "network", "pid", "cgroup", "mount")


class NamespacePlan(Record, repr=False, eq=False):
    unshare_flags: int = 0
    """New namespaces the init unshares (the pid namespace excluded: the shim does that)."""
    join: list[tuple[str, int]] = field(default_factory=list)
    new_pid: bool = False
    join_pid: str | None = None
    new_net: bool = False


def plan(namespaces: list[tuple[str, str | None]]) -> NamespacePlan:
    """From the spec's (type, path) pairs; types are already validated by the spec."""
    p = NamespacePlan()
    joins: dict[str, str] = {}
    for ns_type, path in namespaces:
        if ns_type == "pid":
            if path:
                p.join_pid = path
            else:
                p.new_pid = True
            continue
        if path:
            joins[ns_type] = path
        else:
            p.unshare_flags |= FLAGS[ns_type]
            if ns_type == "network":
                p.new_net = True
    p.join = [(joins[t], FLAGS[t]) for t in _JOIN_ORDER if t in joins]
    return p
