"""Resource limits a container runs under, independent of the cgroup version.

Field meanings follow the OCI runtime spec (``linux.resources``); the cgroup backends
translate them into v1 or v2 files.
"""

from __future__ import annotations

from sandbox.records import Record


class Resources(Record, frozen=True):
    memory_limit: int | None = None
    """Bytes; ``memory.limit_in_bytes`` (v1) or ``memory.max`` (v2)."""
    memory_swap: int | None = None
    """Bytes of memory+swap (OCI semantics); -1 for unlimited."""
    cpu_quota: int | None = None
    """Microseconds of CPU per period; with ``cpu_period`` 100000, 20000 means 0.2 CPU."""
    cpu_period: int | None = None
    """Microseconds; the kernel default is 100000."""
    cpu_shares: int | None = None
    """Relative weight, v1 scale (2..262144, default 1024); converted to ``cpu.weight`` on v2."""
    pids_limit: int | None = None
    """Maximum number of tasks; <= 0 means unlimited."""

    def is_empty(self) -> bool:
        return all(v is None for v in (self.memory_limit, self.memory_swap, self.cpu_quota,
                                       self.cpu_period, self.cpu_shares, self.pids_limit))
