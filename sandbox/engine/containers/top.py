"""``docker top``: the container's processes, found through its cgroup.

With no ``ps_args`` (or ``-ef``) the table is read from /proc, in the columns of ``ps -ef``.
Other arguments run the host's ``ps`` with them, as dockerd does, keeping the rows whose
PID is in the container's cgroup.
"""

from __future__ import annotations

import os
import pwd
import shlex
import subprocess
import time
from typing import TYPE_CHECKING, Any

from sandbox.engine.containers.registry import Container
from sandbox.errors import ContainerConflict, ContainerServiceError, InvalidParameter

if TYPE_CHECKING:
    from sandbox.engine.containers.context import Engine

TITLES = ["UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"]
_TICKS = os.sysconf("SC_CLK_TCK")


def _pids(eng: Engine, c: Container) -> list[int]:
    with c.lock:
        if not c.rec.state.live:
            raise ContainerConflict(c.id, f"container {c.id} is not running")
        return sorted(eng.runtime.cgroup(c.id).pids())


def top(eng: Engine, c: Container, ps_args: str | None = None) -> dict[str, Any]:
    pids = _pids(eng, c)
    if ps_args and ps_args.strip() not in ("-ef", "ef"):
        return _with_ps(ps_args, set(pids))
    rows = [row for row in (proc_row(pid) for pid in pids) if row is not None]
    return {"Titles": list(TITLES), "Processes": rows}


def _boot_time() -> float:
    with open("/proc/stat") as f:
        for line in f:
            if line.startswith("btime "):
                return float(line.split()[1])
    return 0.0


def _uptime() -> float:
    with open("/proc/uptime") as f:
        return float(f.read().split()[0])


def _tty(nr: int) -> str:
    major, minor = (nr >> 8) & 0xFFF, (nr & 0xFF) | ((nr >> 12) & 0xFFF00)
    if 136 <= major <= 143:
        return f"pts/{(major - 136) * 256 + minor}"
    if major == 4 and minor < 64:
        return f"tty{minor}"
    return "?"


def _clock(seconds: int) -> str:
    days, rest = divmod(seconds, 86400)
    h, rest = divmod(rest, 3600)
    m, s = divmod(rest, 60)
    return (f"{days}-" if days else "") + f"{h:02d}:{m:02d}:{s:02d}"


def proc_row(pid: int, proc: str = "/proc") -> list[str] | None:
    """One ``ps -ef`` row from /proc, or None if the process is gone."""
    try:
        with open(f"{proc}/{pid}/stat", "rb") as f:
            stat = f.read().decode("utf-8", "replace")
        with open(f"{proc}/{pid}/cmdline", "rb") as f:
            argv = [a.decode("utf-8", "replace") for a in f.read().split(b"\0") if a]
        with open(f"{proc}/{pid}/status") as f:
            uid = next((int(line.split()[1]) for line in f if line.startswith("Uid:")), 0)
    except (FileNotFoundError, ProcessLookupError):
        return None
    # The command name is in parentheses and may itself hold spaces or parentheses.
    comm = stat[stat.index("(") + 1:stat.rindex(")")]
    fields = stat[stat.rindex(")") + 2:].split()
    ppid, tty_nr = int(fields[1]), int(fields[4])
    utime, stime, start = int(fields[11]), int(fields[12]), int(fields[19])
    cpu_seconds = (utime + stime) / _TICKS
    ran = max(_uptime() - start / _TICKS, 1e-9)
    started = _boot_time() + start / _TICKS
    same_day = time.localtime(started)[:3] == time.localtime()[:3]
    try:
        user = pwd.getpwuid(uid).pw_name
    except KeyError:
        user = str(uid)
    return [user, str(pid), str(ppid), str(int(cpu_seconds * 100 / ran)),
            time.strftime("%H:%M" if same_day else "%b%d", time.localtime(started)), _tty(tty_nr),
            _clock(int(cpu_seconds)), " ".join(argv) if argv else f"[{comm}]"]


def _with_ps(ps_args: str, pids: set[int]) -> dict[str, Any]:
    try:
        args = shlex.split(ps_args)
    except ValueError as e:
        raise InvalidParameter(f"invalid ps arguments {ps_args!r}: {e}", "ps_args") from None
    try:
        out = subprocess.run(["ps", *args], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError) as e:
        raise ContainerServiceError(f"cannot run ps: {e}", "install procps on the engine's host") from e
    if out.returncode != 0:
        raise InvalidParameter(f"ps {ps_args}: {out.stderr.strip() or 'failed'}", "ps_args")
    lines = out.stdout.splitlines()
    if not lines:
        return {"Titles": [], "Processes": []}
    titles = lines[0].split()
    if "PID" not in titles:
        raise InvalidParameter(f'Couldn\'t find PID field in ps output for "ps {ps_args}"', "ps_args",
                               "give ps options that print a PID column")
    at = titles.index("PID")
    rows = []
    for line in lines[1:]:
        fields = line.split(None, len(titles) - 1)
        if len(fields) > at and fields[at].isdigit() and int(fields[at]) in pids:
            rows.append(fields)
    return {"Titles": titles, "Processes": rows}
