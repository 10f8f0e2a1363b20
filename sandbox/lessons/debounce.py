"""Coalescing bursts: ``docker run`` alone emits create, attach, start, … within
milliseconds; the step is re-checked once the burst is over, not once per event."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, Protocol


class TimerLike(Protocol):
    def start(self) -> None: ...

    def cancel(self) -> None: ...


TimerFactory = Callable[[float, Callable[[], None]], TimerLike]


def _thread_timer(delay: float, fn: Callable[[], None]) -> TimerLike:
    timer = threading.Timer(delay, fn)
    timer.daemon = True
    return timer


class Debouncer:
    """Calls ``action`` ``delay`` seconds after the last ``trigger``; but a stream of
    triggers that never pauses still fires every ``max_wait`` seconds, so a chatty
    container cannot starve its own check."""

    def __init__(
        self,
        delay: float,
        action: Callable[[], Any],
        *,
        max_wait: float | None = None,
        timer: TimerFactory = _thread_timer,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.delay = delay
        self.max_wait = max_wait if max_wait is not None else delay * 5
        self._action = action
        self._timer_factory = timer
        self._clock = clock
        self._lock = threading.Lock()
        self._timer: TimerLike | None = None
        self._first: float | None = None

    def trigger(self) -> None:
        with self._lock:
            now = self._clock()
            if self._first is None:
                self._first = now
            if self._timer is not None:
                self._timer.cancel()
            wait = self.delay if now - self._first < self.max_wait else 0.0
            self._timer = self._timer_factory(wait, self._fire)
            self._timer.start()

    def _fire(self) -> None:
        with self._lock:
            self._timer = None
            self._first = None
        self._action()

    @property
    def pending(self) -> bool:
        return self._timer is not None

    def cancel(self) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
            self._timer = None
            self._first = None
