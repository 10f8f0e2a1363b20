"""Readers for /proc: mounts, namespaces, process status and identity.

Each takes an optional ``proc`` root so tests can point them at a fake tree.
"""

from __future__ import annotations

import os

from sandbox.records import Record

NAMESPACE_TYPES = ("cgroup", "ipc", "mnt", "net", "pid", "uts", "user", "time")


class MountInfo(Record, frozen=True):
    mount_id: int
    parent_id: int
    root: str
    mount_point: str
    options: str
    fstype: str
    source: str
    super_options: str
    optional: tuple[str, ...]


def _unescape(field: str) -> str:
    # mountinfo escapes space, tab, newline and backslash as octal (\040 …).
    if "\\" not in field:
        return field
    out, i = [], 0
    while i < len(field):
        if field[i] == "\\" and i + 4 <= len(field) and field[i + 1:i + 4].isdigit():
            out.append(chr(int(field[i + 1:i + 4], 8)))
            i += 4
        else:
            out.append(field[i])
            i += 1
    return "".join(out)


def parse_mountinfo(text: str) -> list[MountInfo]:
    mounts = []
    for line in text.splitlines():
        if not line.strip():
            continue
        left, _, right = line.partition(" - ")
        f = left.split()
        r = right.split()
        mounts.append(MountInfo(
            mount_id=int(f[0]), parent_id=int(f[1]), root=_unescape(f[3]),
            mount_point=_unescape(f[4]), options=f[5], optional=tuple(f[6:]),
            fstype=r[0] if r else "", source=_unescape(r[1]) if len(r) > 1 else "",
            super_options=r[2] if len(r) > 2 else "",
        ))
    return mounts


def read_mountinfo(pid: int | str = "self", proc: str = "/proc") -> list[MountInfo]:
    with open(f"{proc}/{pid}/mountinfo") as f:
        return parse_mountinfo(f.read())


def mounts_under(prefix: str, pid: int | str = "self", proc: str = "/proc") -> list[str]:
    """Mount points at or below ``prefix`` (to check that nothing was left mounted)."""
    prefix = prefix.rstrip("/")
    return [m.mount_point for m in read_mountinfo(pid, proc)
            if m.mount_point == prefix or m.mount_point.startswith(prefix + "/")]


def ns_inode(pid: int | str, nstype: str, proc: str = "/proc") -> int:
    """The inode of a namespace: two processes share a namespace iff these are equal."""
    return os.stat(f"{proc}/{pid}/ns/{nstype}").st_ino


def namespaces(pid: int | str = "self", proc: str = "/proc") -> dict[str, int]:
    out = {}
    for t in NAMESPACE_TYPES:
        try:
            out[t] = ns_inode(pid, t, proc)
        except FileNotFoundError:
            continue
    return out


def read_status(pid: int | str = "self", proc: str = "/proc") -> dict[str, str]:
    out = {}
    with open(f"{proc}/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            out[key] = value.strip()
    return out


def start_time(pid: int, proc: str = "/proc") -> int | None:
    """Field 22 of /proc/PID/stat, the start time in clock ticks since boot.

    A pid plus its start time names a process for good: pids are reused, this pair is
    not. None when the process is gone.
    """
    try:
        with open(f"{proc}/{pid}/stat", "rb") as f:
            raw = f.read()
    except (FileNotFoundError, ProcessLookupError):
        return None
    # The command name (field 2) may contain spaces and parentheses: split after the last ')'.
    rest = raw[raw.rindex(b")") + 2:].split()
    return int(rest[19])


def process_state(pid: int, proc: str = "/proc") -> str | None:
    """The one-letter state (R, S, D, Z, T, …), or None when the process is gone."""
    try:
        with open(f"{proc}/{pid}/stat", "rb") as f:
            raw = f.read()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return raw[raw.rindex(b")") + 2:].split()[0].decode()


def children(pid: int, proc: str = "/proc") -> list[int]:
    """Direct children of ``pid`` (all its threads' children)."""
    out: list[int] = []
    try:
        tids = os.listdir(f"{proc}/{pid}/task")
    except FileNotFoundError:
        return out
    for tid in tids:
        try:
            with open(f"{proc}/{pid}/task/{tid}/children") as f:
                out.extend(int(x) for x in f.read().split())
        except FileNotFoundError:
            continue
    return out
