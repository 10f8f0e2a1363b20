"""Restart policy decisions and back-off."""

from __future__ import annotations

import pytest

from sandbox.engine.containers.restart import HEALTHY_RUN, INITIAL_DELAY, MAX_DELAY, Policy, next_delay


@pytest.mark.parametrize(("policy", "code", "manual", "count", "expected"), [
    (Policy("no"), 1, False, 0, False),
    (Policy("always"), 0, False, 5, True),
    (Policy("always"), 0, True, 0, False),
    (Policy("unless-stopped"), 3, False, 0, True),
    (Policy("on-failure"), 0, False, 0, False),
    (Policy("on-failure"), 1, False, 99, True),
    (Policy("on-failure", 2), 1, False, 1, True),
    (Policy("on-failure", 2), 1, False, 2, False),
])
def test_should_restart(policy: Policy, code: int, manual: bool, count: int, expected: bool) -> None:
    assert policy.should_restart(code, manual, count) is expected


def test_daemon_start() -> None:
    assert Policy("always").restart_at_daemon_start(manually_stopped=True, started_before=True)
    assert not Policy("unless-stopped").restart_at_daemon_start(manually_stopped=True, started_before=True)
    assert Policy("unless-stopped").restart_at_daemon_start(manually_stopped=False, started_before=True)
    assert not Policy("always").restart_at_daemon_start(manually_stopped=False, started_before=False)
    assert not Policy("on-failure").restart_at_daemon_start(manually_stopped=False, started_before=True)
    assert Policy.from_api({"Name": "on-failure", "MaximumRetryCount": 3}) == Policy("on-failure", 3)
    assert Policy.from_api(None) == Policy("no")


def test_back_off_doubles_and_resets() -> None:
    delay = next_delay(0, 0)
    assert delay == INITIAL_DELAY
    seen = [delay := next_delay(delay, 0.5) for _ in range(12)]
    assert seen[:3] == [0.2, 0.4, 0.8] and seen[-1] == MAX_DELAY
    assert next_delay(MAX_DELAY, HEALTHY_RUN) == INITIAL_DELAY
