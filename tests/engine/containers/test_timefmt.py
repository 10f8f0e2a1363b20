"""Times as the Docker API writes them."""

from __future__ import annotations

import pytest

from sandbox.engine.containers.timefmt import (
    ZERO_TIME,
    human_duration,
    parse_go_duration,
    parse_rfc3339,
    parse_timestamp,
    rfc3339nano,
)
from sandbox.errors import InvalidParameter


def test_rfc3339nano_round_trip() -> None:
    assert rfc3339nano(0) == ZERO_TIME
    assert rfc3339nano(0, zero_is_never=False) == "1970-01-01T00:00:00.000000000Z"
    text = rfc3339nano(1700000000.25)
    assert text == "2023-11-14T22:13:20.250000000Z"
    assert parse_rfc3339(text) == 1700000000.25
    assert parse_rfc3339("2023-11-14T23:13:20+01:00") == 1700000000
    assert parse_rfc3339("yesterday") is None


@pytest.mark.parametrize(("seconds", "words"), [
    (0.5, "Less than a second"), (1, "1 second"), (59, "59 seconds"), (60, "About a minute"),
    (150, "2 minutes"), (3600, "About an hour"), (7200, "2 hours"), (3 * 86400, "3 days"),
    (20 * 86400, "2 weeks"), (90 * 86400, "3 months"), (800 * 86400, "2 years"),
])
def test_human_duration_matches_go_units(seconds: float, words: str) -> None:
    assert human_duration(seconds) == words


def test_timestamps_and_durations() -> None:
    assert parse_go_duration("1h30m") == 5400 and parse_go_duration("250ms") == 0.25
    assert parse_go_duration("10x") is None and parse_go_duration("") is None
    assert parse_timestamp("1700000000.5", now=0) == 1700000000.5
    assert parse_timestamp("10m", now=1000) == 400
    assert parse_timestamp("", now=1) is None
    with pytest.raises(InvalidParameter, match="invalid time value"):
        parse_timestamp("soon", now=1)
