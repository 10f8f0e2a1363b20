"""The debouncer: one call after a burst, and no starvation by a burst that never ends."""

from __future__ import annotations

from sandbox.lessons.debounce import Debouncer
from tests.lessons.helpers import Timers


def test_a_burst_becomes_one_call(timers: Timers) -> None:
    calls: list[int] = []
    d = Debouncer(0.3, lambda: calls.append(1), timer=timers, clock=lambda: 0.0)
    for _ in range(5):
        d.trigger()
    assert len(timers.live()) == 1 and timers.live()[0].delay == 0.3 and d.pending
    timers.fire()
    assert calls == [1] and not d.pending


def test_a_never_ending_burst_still_fires(timers: Timers) -> None:
    now = [0.0]
    d = Debouncer(0.3, lambda: None, max_wait=1.0, timer=timers, clock=lambda: now[0])
    d.trigger()
    now[0] = 0.5
    d.trigger()
    assert timers.live()[0].delay == 0.3
    now[0] = 1.2
    d.trigger()
    assert timers.live()[0].delay == 0.0  # waited long enough: check now


def test_cancel(timers: Timers) -> None:
    calls: list[int] = []
    d = Debouncer(0.3, lambda: calls.append(1), timer=timers, clock=lambda: 0.0)
    d.trigger()
    d.cancel()
    timers.fire()
    assert calls == [] and not d.pending
