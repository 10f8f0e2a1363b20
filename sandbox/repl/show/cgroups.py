"""``show cgroups``: the container's limits and what it uses, as meters, and where in
the cgroup filesystem those numbers live.

Memory is usage against ``memory.max`` (v2) or ``memory.limit_in_bytes`` (v1), with the
peak and the OOM kills: a kill means the kernel ended a process because the group hit its
limit. CPU has no meter of use against a limit over time here (that needs two samples),
so it shows the total used and the quota; pids is current against ``pids.max``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from prompt_toolkit.formatted_text import StyleAndTextTuples

from sandbox.commands.render.units import bytes_size

from .draw import UNLIMITED, Line, clip, meter, percent, picture, title

MODES = {"v1": "cgroup v1: one tree per controller", "v2": "cgroup v2: one unified tree",
         "hybrid": "hybrid: v1 controllers, plus a v2 tree that holds none of them"}
SHOWN_PATHS = ("memory", "cpu", "pids", "unified", "")
MAX_FILES = 8


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def cpu_quota(files: Mapping[str, str]) -> tuple[float | None, int | None]:
    """(CPUs allowed, period in µs) from ``cpu.max`` (v2) or the cfs files (v1)."""
    if "cpu.max" in files:
        quota, _, period = str(files["cpu.max"]).partition(" ")
        per = _int(period)
        q = _int(quota)
        return (q / per if q is not None and per else None), per
    q = _int(files.get("cpu.cfs_quota_us"))
    per = _int(files.get("cpu.cfs_period_us"))
    return (q / per if q is not None and q > 0 and per else None), per


def _seconds(ns: int) -> str:
    if ns < 1_000_000_000:
        return f"{ns / 1e6:.1f}ms"
    return f"{ns / 1e9:.2f}s"


def render(data: Mapping[str, Any], *, name: str = "", width: int = 80) -> StyleAndTextTuples:
    stats = data.get("stats") or {}
    files = data.get("files") or {}
    mode = str(data.get("mode") or "")
    bar = max(min(width - 46, 40), 10)
    lines: list[Line] = [title(f"cgroups of {name or 'the container'}", MODES.get(mode, mode))]
    if data.get("frozen"):
        lines.append([("class:warn", "  frozen: "), ("", "every process is stopped by the freezer (docker pause)")])

    usage = _int(stats.get("memory_usage")) or 0
    limit = _int(stats.get("memory_limit"))
    shown_limit = bytes_size(limit) if limit and limit < UNLIMITED else "no limit"
    lines.append([("class:heading", "  memory ")] + meter(usage, limit, bar) +
                 [("", f" {bytes_size(usage)} of {shown_limit} {percent(usage, limit)}".rstrip())])
    peak = _int(stats.get("memory_peak"))
    ooms = _int(stats.get("oom_kills")) or 0
    detail: Line = [("class:dim", "          ")]
    if peak is not None:
        detail.append(("class:dim", f"peak {bytes_size(peak)}   "))
    detail.append(("class:bad" if ooms else "class:dim", f"OOM kills {ooms}"))
    if ooms:
        detail.append(("class:bad", "  — the kernel killed a process that went over the limit"))
    lines.append(detail)

    cpus, period = cpu_quota(files)
    used = _int(stats.get("cpu_usage_ns"))
    quota = f"limited to {cpus:g} CPU" if cpus else "no quota"
    if period:
        quota += f" (period {period // 1000}ms)"
    lines.append([("class:heading", "  cpu    "), ("", f" {_seconds(used) if used is not None else '?'} used"),
                  ("class:dim", f"   {quota}")])

    current = _int(stats.get("pids_current")) or 0
    pids_limit = _int(stats.get("pids_limit"))
    shown_pids = str(pids_limit) if pids_limit else "no limit"
    lines.append([("class:heading", "  pids   ")] + meter(current, pids_limit, bar) +
                 [("", f" {current} of {shown_pids}")])

    paths = data.get("paths") or {}
    if paths:
        lines.append([])
        lines.append(title("where the numbers live"))
        for controller in SHOWN_PATHS:
            if controller in paths:
                lines.append([("class:accent", f"  {controller or 'unified':<8}"), ("", str(paths[controller]))])
        rest = [c for c in paths if c not in SHOWN_PATHS]
        if rest:
            lines.append([("class:dim", f"  and {', '.join(sorted(rest))}")])
    shown = [(k, str(v)) for k, v in files.items() if "\n" not in str(v)][:MAX_FILES]
    if shown:
        lines.append(title("files", "cat them on the host to see the same numbers"))
        key_width = max(len(k) for k, _ in shown)
        for key, value in shown:
            lines.append([("class:accent", f"  {key:<{key_width}}  "), ("", clip(value, max(width - key_width - 4, 10)))])
    return picture(lines)
