"""``show ns``: the container's namespaces against the host's, and its processes as both
sides number them.

Two processes share a namespace exactly when ``/proc/PID/ns/TYPE`` has the same inode,
so the table is the whole story: a different inode is a namespace of the container's
own. The process tree is drawn twice over in one table: host pids on the left, the pids
the container's own pid namespace gives them on the right (its first process is 1).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from prompt_toolkit.formatted_text import StyleAndTextTuples

from .draw import Line, clip, picture, table, title

ORDER = ("pid", "mnt", "net", "uts", "ipc", "cgroup", "user", "time")
MEANING = {
    "pid": "process ids", "mnt": "mount table", "net": "interfaces, routes, ports", "uts": "hostname",
    "ipc": "SysV IPC, message queues", "cgroup": "cgroup root", "user": "user and group ids",
    "time": "boot and monotonic clocks",
}


def _types(host: Mapping[str, Any], inside: Mapping[str, Any]) -> list[str]:
    known = [t for t in ORDER if t in host or t in inside]
    return known + sorted(t for t in {*host, *inside} if t not in ORDER)


def _tree(processes: Sequence[Mapping[str, Any]]) -> list[tuple[int, Mapping[str, Any]]]:
    """(depth, process) in tree order, parents before children, by the container's pids."""
    by_pid = {p.get("container_pid"): p for p in processes}
    children: dict[object, list[Mapping[str, Any]]] = {}
    roots = []
    for p in processes:
        parent = p.get("container_ppid")
        if parent in by_pid and parent != p.get("container_pid"):
            children.setdefault(parent, []).append(p)
        else:
            roots.append(p)
    out: list[tuple[int, Mapping[str, Any]]] = []

    def walk(p: Mapping[str, Any], depth: int) -> None:
        out.append((depth, p))
        for child in sorted(children.get(p.get("container_pid"), []), key=lambda c: c.get("container_pid") or 0):
            walk(child, depth + 1)

    for root in sorted(roots, key=lambda r: r.get("container_pid") or 0):
        walk(root, 0)
    return out


def render(data: Mapping[str, Any], *, name: str = "", width: int = 80) -> StyleAndTextTuples:
    host = data.get("host") or {}
    inside = data.get("container") or {}
    shared = set(data.get("shared") or [t for t in inside if host.get(t) == inside.get(t)])
    lines: list[Line] = [title(f"namespaces of {name or 'the container'}",
                               "same inode = shared with the host, different = its own")]
    rows = [[("class:heading", "type"), ("class:heading", "host"), ("class:heading", "container"),
             ("class:heading", ""), ("class:heading", "isolates")]]
    for kind in _types(host, inside):
        own = kind not in shared
        rows.append([("class:accent", kind), ("", str(host.get(kind, "?"))), ("", str(inside.get(kind, "?"))),
                     ("class:good", "own") if own else ("class:dim", "shared"),
                     ("class:dim", MEANING.get(kind, ""))])
    lines += [[("", "  ")] + row for row in table(rows)]
    processes = list(data.get("processes") or [])
    lines.append([])
    lines.append(title("processes", "host pid → container pid: the same process, two names"))
    if not processes:
        lines.append([("class:dim", "  no processes (the container is not running)")])
        return picture(lines)
    cmd_width = max(width - 44, 16)
    prows = [[("class:heading", "host pid"), ("class:heading", "ppid"), ("class:heading", "│"),
              ("class:heading", "pid"), ("class:heading", "ppid"), ("class:heading", "command")]]
    for depth, p in _tree(processes):
        branch = "  " * (depth - 1) + "└─ " if depth else ""
        prows.append([("", str(p.get("pid", "?"))), ("class:dim", str(p.get("ppid", "?"))), ("class:box", "│"),
                      ("class:accent", str(p.get("container_pid", "?"))),
                      ("class:dim", str(p.get("container_ppid", "?"))),
                      ("", clip(branch + str(p.get("cmd") or p.get("name") or ""), cmd_width))])
    lines += [[("", "  ")] + row for row in table(prows)]
    lines.append([("class:dim", "  ppid 0 inside: the parent lives outside the container's pid namespace")])
    return picture(lines)
