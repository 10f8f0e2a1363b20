"""What a cgroup reports about itself, the same shape for v1 and v2."""

from __future__ import annotations

from sandbox.records import Record


class CgroupStats(Record, frozen=True):
    memory_usage: int
    """Bytes charged now, page cache included (memory.current / memory.usage_in_bytes)."""
    memory_peak: int | None
    """The high-water mark in bytes; None where the kernel keeps none (v2 before 5.19)."""
    memory_limit: int | None
    """Bytes; None when unlimited."""
    oom_kills: int
    """Processes the OOM killer ended inside this cgroup."""
    cpu_usage_ns: int
    """CPU time used by every process that ever ran in it."""
    pids_current: int
    pids_limit: int | None
    """None when unlimited."""


def parse_keyed(text: str) -> dict[str, int]:
    """Parse ``key value`` lines (memory.stat, memory.events, cpu.stat, memory.oom_control)."""
    out: dict[str, int] = {}
    for line in text.splitlines():
        key, _, value = line.partition(" ")
        try:
            out[key] = int(value)
        except ValueError:
            continue
    return out


def parse_limit(text: str) -> int | None:
    """A limit file's value: "max" (v2) or the v1 page-counter ceiling mean unlimited."""
    text = text.strip()
    if not text or text == "max":
        return None
    value = int(text)
    # v1 reports "unlimited" as the largest page-aligned 63-bit value, 9223372036854771712.
    if value < 0 or value >= 1 << 62:
        return None
    return value
