"""OCI resource values (v1 semantics) turned into the strings the cgroup files take.

Pure functions: both backends and the tests use them.
"""

from __future__ import annotations


def memory_value(limit: int, unlimited: str) -> str:
    """0 means no limit (Docker's ``-m 0``)."""
    return unlimited if limit == 0 else str(limit)


def swap_max_v2(memory_swap: int, memory_limit: int | None) -> str | None:
    """v2's ``memory.swap.max`` counts swap alone, OCI's value counts memory plus swap."""
    if memory_swap == -1:
        return "max"
    if memory_swap == 0 or not memory_limit:
        return None
    return str(memory_swap - memory_limit)


def cpu_max_v2(quota: int | None, period: int | None, current: str | None) -> str | None:
    """``cpu.max`` is "QUOTA PERIOD" with "max" for no quota.

    Given only a period, the quota in force (``current``, read lazily by the caller) is kept:
    a live update of the period must not lift the limit.
    """
    if not quota:
        if not period:
            return None
        kept = current.split()[0] if current else "max"
        return f"{kept} {period}"
    q = "max" if quota == -1 else str(quota)
    return f"{q} {period}" if period else q


def cpu_weight_from_shares(shares: int) -> int:
    """runc's mapping of v1 shares [2, 262144] onto v2 weight [1, 10000]; 1024 -> 39."""
    return 1 + ((shares - 2) * 9999) // 262142


def pids_value(limit: int, unlimited: str = "max") -> str:
    """<= 0 means no limit (Docker's ``--pids-limit 0`` and ``-1``)."""
    return unlimited if limit <= 0 else str(limit)
