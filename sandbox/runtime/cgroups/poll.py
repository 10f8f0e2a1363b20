"""Waiting for the kernel to catch up (freezing, processes leaving a cgroup)."""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_for(check: Callable[[], bool], timeout: float) -> bool:
    """Call ``check`` until it is true or ``timeout`` seconds pass; the pause between calls
    starts at 0.2 ms (most waits end within one or two) and doubles up to 20 ms."""
    deadline = time.monotonic() + timeout
    delay = 0.0002
    while True:
        if check():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(delay)
        delay = min(delay * 2, 0.02)
