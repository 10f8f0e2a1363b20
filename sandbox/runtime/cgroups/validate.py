"""Refuse impossible limits before anything touches the kernel."""

from __future__ import annotations

from sandbox.errors import ResourceError
from sandbox.runtime.resources import Resources

MIN_MEMORY = 6 * 1024 * 1024
"""Docker's minimum: below it a container's init and page tables alone can trip the OOM killer."""
MIN_CPU_QUOTA = 1000
"""Microseconds; the kernel refuses a CFS quota under 1 ms."""
CPU_PERIOD_RANGE = (1000, 1_000_000)
"""Microseconds; the kernel accepts CFS periods from 1 ms to 1 s."""
CPU_SHARES_RANGE = (2, 262144)
"""v1's cpu.shares bounds (the kernel would silently clamp; we say so instead)."""


def validate_resources(r: Resources | None) -> None:
    """Raise ``ResourceError`` naming the first impossible field; None means no limits."""
    if r is None:
        return
    _memory(r)
    _cpu(r)


def _memory(r: Resources) -> None:
    mem, swap = r.memory_limit, r.memory_swap
    if mem is not None:
        if mem < 0:
            raise ResourceError("memory_limit", mem, "must not be negative",
                                "give bytes, e.g. 67108864 for 64 MiB; leave it unset for no limit")
        if 0 < mem < MIN_MEMORY:
            raise ResourceError("memory_limit", mem, f"below the minimum of 6 MiB ({MIN_MEMORY} bytes)",
                                "Docker refuses less too: a container needs room for its own init; use -m 6m or more")
    if swap is None or swap == 0:
        return
    if swap < -1:
        raise ResourceError("memory_swap", swap, "must be -1 (unlimited) or memory plus swap in bytes")
    if swap == -1:
        return
    if not mem:
        raise ResourceError("memory_swap", swap, "needs a memory limit",
                            "set the memory limit too: swap is limited as memory plus swap")
    if swap < mem:
        raise ResourceError("memory_swap", swap, f"smaller than the memory limit {mem}",
                            "memory_swap counts memory plus swap, so it must be at least the memory limit")


def _cpu(r: Resources) -> None:
    quota, period, shares = r.cpu_quota, r.cpu_period, r.cpu_shares
    if quota is not None and quota != -1 and quota != 0:
        if quota < 0:
            raise ResourceError("cpu_quota", quota, "must be -1 (unlimited) or positive microseconds")
        if quota < MIN_CPU_QUOTA:
            raise ResourceError("cpu_quota", quota, f"below the kernel's minimum of {MIN_CPU_QUOTA} µs",
                                "with a period of 100000, 20000 means 0.2 CPU")
    if period is not None and period != 0:
        lo, hi = CPU_PERIOD_RANGE
        if not lo <= period <= hi:
            raise ResourceError("cpu_period", period, f"outside the kernel's range {lo}..{hi} µs",
                                "the usual period is 100000 (100 ms)")
    if shares is not None and shares != 0:
        lo, hi = CPU_SHARES_RANGE
        if not lo <= shares <= hi:
            raise ResourceError("cpu_shares", shares, f"outside {lo}..{hi}", "the default weight is 1024")
