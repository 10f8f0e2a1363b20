"""Waiting on the app without sleeping a fixed time: poll a condition between frames."""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Awaitable, Callable

from textual.pilot import Pilot


async def until(pilot: Pilot, condition: Callable[[], object], timeout: float = 5.0) -> bool:
    """Let the app run until ``condition()`` holds; False if ``timeout`` passed first."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        await pilot.pause(0.01)
    return True


def run_async(test: Callable[..., Awaitable[None]]) -> Callable[..., None]:
    """Run an ``async def`` test in its own event loop (no async plugin needed); fixtures
    are passed through because the wrapper keeps the test's signature."""

    @functools.wraps(test)
    def wrapper(*args: object, **kwargs: object) -> None:
        asyncio.run(test(*args, **kwargs))

    return wrapper
