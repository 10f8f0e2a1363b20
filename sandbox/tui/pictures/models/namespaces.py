"""The namespaces picture's data, from ``GET /sandbox/containers/{id}/namespaces``:
for each namespace type the host's inode and the container's (equal inodes mean the same
namespace), and the container's processes numbered from both sides."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

ORDER = ("pid", "mnt", "net", "uts", "ipc", "cgroup", "user", "time")
_DIGITS = re.compile(r"(\d+)")


@dataclass(frozen=True)
class NsRow:
    type: str
    host: int | None
    container: int | None

    @property
    def shared(self) -> bool | None:
        if self.host is None or self.container is None:
            return None
        return self.host == self.container


@dataclass(frozen=True)
class ProcRow:
    pid: int
    """As the host numbers it."""
    container_pid: int
    """As the container numbers it (its own pid namespace)."""
    cmd: str
    depth: int
    """Depth in the container's process tree, for indentation."""


@dataclass(frozen=True)
class NamespaceView:
    container: str
    rows: tuple[NsRow, ...]
    processes: tuple[ProcRow, ...]


def _inode(value: Any) -> int | None:
    """``4026531836`` or ``pid:[4026531836]`` (what readlink of /proc/PID/ns/pid shows)."""
    if value is None:
        return None
    if isinstance(value, int):
        return value
    match = _DIGITS.search(str(value))
    return int(match.group(1)) if match else None


def _process_list(value: Any) -> list[Mapping[str, Any]]:
    if isinstance(value, list):
        return [p for p in value if isinstance(p, Mapping)]
    if isinstance(value, Mapping):
        # {"list": [...]} or {pid: {...}}: accept both, the engine's shape may still move.
        inner = value.get("list") or value.get("processes")
        if isinstance(inner, list):
            return [p for p in inner if isinstance(p, Mapping)]
        return [dict(p, pid=p.get("pid", int(k)) if str(k).isdigit() else p.get("pid"))
                for k, p in value.items() if isinstance(p, Mapping)]
    return []


def build_view(container: str, data: Mapping[str, Any]) -> NamespaceView:
    host = data.get("host") or {}
    inside = data.get("container") or {}
    types = [t for t in ORDER if t in host or t in inside]
    types += sorted(t for t in set(host) | set(inside) if t not in ORDER)
    rows = tuple(NsRow(t, _inode(host.get(t)), _inode(inside.get(t))) for t in types)
    return NamespaceView(container, rows, tuple(_tree(_process_list(data.get("processes")))))


def _tree(procs: list[Mapping[str, Any]]) -> list[ProcRow]:
    by_pid = {int(p.get("pid", 0)): p for p in procs}
    children: dict[int, list[int]] = {}
    roots = []
    for pid, p in sorted(by_pid.items()):
        parent = int(p.get("ppid", 0))
        if parent in by_pid and parent != pid:
            children.setdefault(parent, []).append(pid)
        else:
            roots.append(pid)
    out: list[ProcRow] = []

    def walk(pid: int, depth: int) -> None:
        p = by_pid[pid]
        out.append(ProcRow(pid, int(p.get("container_pid", 0)), str(p.get("cmd") or p.get("name") or "?"), depth))
        for child in children.get(pid, []):
            walk(child, depth + 1)

    for root in roots:
        walk(root, 0)
    return out
