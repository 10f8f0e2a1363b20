"""What the pictures read about a running container, straight from the kernel.

``namespaces``: for each namespace type, the host's inode and the container's (two
processes share a namespace exactly when the inodes are equal), and the container's
processes as the host numbers them and as the container does (``NSpid`` in
/proc/PID/status lists a pid in every pid namespace it belongs to, outermost first).
``cgroup``: where the container's cgroup lives, its limit and usage files, and the same
numbers parsed.
"""

from __future__ import annotations

import os
from typing import Any

from sandbox.linux import proc
from sandbox.records import asdict

NAMESPACES = ("pid", "mnt", "net", "uts", "ipc", "cgroup", "user")


def _process(pid: int) -> dict[str, Any] | None:
    try:
        status = proc.read_status(pid)
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            cmdline = f.read().rstrip(b"\0").replace(b"\0", b" ").decode("utf-8", "replace")
    except (FileNotFoundError, ProcessLookupError):
        return None
    nspids = [int(x) for x in status.get("NSpid", str(pid)).split()]
    return {"pid": nspids[0], "ppid": int(status.get("PPid", "0")), "container_pid": nspids[-1],
            "name": status.get("Name", ""), "cmd": cmdline or f"[{status.get('Name', '')}]",
            "uid": int(status.get("Uid", "0").split()[0])}


def namespaces(init_pid: int, pids: list[int]) -> dict[str, Any]:
    host = {t: ino for t, ino in proc.namespaces("self").items() if t in NAMESPACES}
    inside = {t: ino for t, ino in proc.namespaces(init_pid).items() if t in NAMESPACES}
    procs = [p for p in (_process(pid) for pid in sorted(pids)) if p is not None]
    host_pids = {p["pid"] for p in procs}
    for p in procs:
        # The init's parent is the shim, outside the container: inside it shows as 0.
        p["container_ppid"] = next((q["container_pid"] for q in procs if q["pid"] == p["ppid"]), 0)
        p["parent_inside"] = p["ppid"] in host_pids
    return {
        "host": host,
        "container": inside,
        "shared": sorted(t for t in inside if host.get(t) == inside[t]),
        "processes": procs,
    }


def cgroup(manager: Any) -> dict[str, Any]:
    """``manager`` is the runtime's CgroupManager for the container."""
    return {
        "mode": getattr(manager.mode, "name", str(manager.mode)).lower(),
        "paths": {k: str(v) for k, v in manager.paths().items()},
        "files": manager.files(),
        "stats": asdict(manager.stats()),
        "frozen": manager.is_frozen(),
    }


def is_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
