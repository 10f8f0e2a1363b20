"""Descriptor hygiene for processes forked from a long-running caller."""

from __future__ import annotations

import os
import select


def close_fds_except(keep: set[int]) -> None:
    """Close every descriptor above 2 that is not in ``keep``.

    A fork copies the whole descriptor table. The engine's holds client connections and
    other containers' pipes; a shim that kept them would hold those open after the engine
    closed them, and a reader waiting for end-of-file would wait for good. ``closerange``
    uses close_range(2), so the gaps cost one system call each.
    """
    try:
        import resource

        top = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    except (ImportError, ValueError, OSError):
        top = 65536
    if top < 0 or top > 1 << 20:
        top = 1 << 20
    start = 3
    for fd in sorted(k for k in keep if k >= 3):
        if fd > start:
            os.closerange(start, fd)
        start = max(start, fd + 1)
    os.closerange(start, top)


def wait_readable(fd: int, timeout: float | None = None) -> bool:
    """Whether ``fd`` is readable (or at end-of-file, or its process ended, for a pidfd)
    within ``timeout`` seconds; None waits for good. poll(2), not select(2): select cannot
    watch a descriptor numbered 1024 or more, which an engine with many containers reaches."""
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(None if timeout is None else max(0.0, timeout) * 1000))
