"""The trace picture's data: the runtime's records for the last command (``GET
/sandbox/trace``: ``{op, args, pid, time, error}``), each put in words and a category so
mounts, namespace flags, cgroup writes and privilege drops stand apart."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ...backend.types import TraceRecord

_LONG_ID = re.compile(r"\b[0-9a-f]{64}\b")

CATEGORIES = ("namespace", "mount", "cgroup", "security", "process", "storage", "other")


@dataclass(frozen=True)
class TraceLine:
    category: str
    op: str
    text: str
    pid: int
    error: str | None = None


def _category(op: str) -> str:
    if op in ("unshare", "setns", "clone", "sethostname"):
        return "namespace"
    if op in ("mount", "umount2", "umount", "pivot_root") or op.startswith("mount."):
        return "mount"
    if op.startswith("cgroup."):
        return "cgroup"
    if op.startswith(("cap", "seccomp", "prctl", "setuser", "setrlimit", "apparmor")):
        return "security"
    if op in ("exec", "start", "kill", "delete", "update", "create"):
        return "process"
    if op.startswith("storage."):
        return "storage"
    return "other"


def _tail(path: Any, parts: int = 2) -> str:
    text = str(path or "")
    return "/".join(text.rstrip("/").split("/")[-parts:]) if text else ""


def _caps(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return f"{len(value)} caps"
    return str(value)


def _words(op: str, a: Mapping[str, Any]) -> str:
    if op == "mount":
        fs = a.get("fstype") or ""
        flags = f" [{a['flags']}]" if a.get("flags") else ""
        return f"mount {fs} {a.get('source') or '-'} → {a.get('target', '?')}{flags}".replace("  ", " ")
    if op in ("umount2", "umount"):
        return f"umount {a.get('target', '?')}"
    if op == "pivot_root":
        return f"pivot_root {a.get('new_root', '?')} (old root at {a.get('put_old', '?')})"
    if op == "unshare":
        return f"unshare({a.get('flags', '?')})"
    if op == "setns":
        return f"setns {a.get('nstype', '')} {a.get('ns') or ''}".strip()
    if op == "sethostname":
        return f"sethostname {a.get('name', '?')}"
    if op == "cgroup.write":
        return f"{a.get('file', '?')} = {a.get('value', '?')}  ({_tail(a.get('path'))})"
    if op in ("cgroup.mkdir", "cgroup.rmdir"):
        return f"{op.split('.')[1]} {_tail(a.get('path'), 3)}"
    if op == "capbset.drop":
        return f"drop {_caps(a.get('caps'))} from the bounding set, keep {_caps(a.get('kept'))}"
    if op == "capset":
        return f"capset effective={_caps(a.get('effective'))}"
    if op == "prctl":
        return f"prctl {a.get('option', '?')}={a.get('value', a.get('arg2', ''))}"
    if op == "seccomp.load":
        rest = " ".join(f"{k}={v}" for k, v in a.items())
        return f"seccomp filter loaded {rest}".strip()
    if op == "setuser":
        return f"setuser uid={a.get('uid', '?')} gid={a.get('gid', '?')}"
    if op == "exec":
        argv = a.get("argv")
        return "exec " + (" ".join(map(str, argv)) if isinstance(argv, (list, tuple)) else str(a.get("path", "?")))
    if op in ("start", "kill", "delete", "update", "create"):
        extra = " ".join(f"{k}={v}" for k, v in a.items() if k != "container")
        return f"{op} {a.get('container', '')} {extra}".strip()
    rest = " ".join(f"{k}={v}" for k, v in a.items())
    return f"{op} {rest}".strip()


def describe(rec: TraceRecord) -> TraceLine:
    # Container ids are 64 hex digits; 12 identify them, as docker prints them.
    text = _LONG_ID.sub(lambda m: m.group(0)[:12], _words(rec.op, rec.args))
    return TraceLine(_category(rec.op), rec.op, text, rec.pid, rec.error)


def summarize(lines: Iterable[TraceLine]) -> list[tuple[str, int]]:
    """(category, count) in the fixed category order, only those present."""
    counts = Counter(line.category for line in lines)
    return [(c, counts[c]) for c in CATEGORIES if counts[c]]
