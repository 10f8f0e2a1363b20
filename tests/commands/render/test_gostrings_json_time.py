import pytest

from sandbox.commands.render import gojson
from sandbox.commands.render.gostrings import ellipsis, go_quote, truncate_id
from sandbox.commands.render.gotime import (get_timestamp, go_time_string, parse_go_duration, parse_rfc3339_nano,
                                            rfc3339_nano_fixed)
from sandbox.errors import UsageError


@pytest.mark.parametrize("text, expected", [
    ("sleep 1000", '"sleep 1000"'), ('say "hi"', r'"say \"hi\""'), ("a\tb\n", r'"a\tb\n"'),
    ("\x01", r'"\x01"'), ("café", '"café"'), ("\u200b", r'"\u200b"'),
])
def test_go_quote(text: str, expected: str) -> None:
    assert go_quote(text) == expected


@pytest.mark.parametrize("text, width, expected", [
    ("sh -c 'while true; do sleep 1; done'", 20, "sh -c 'while true; …"),
    ("short", 20, "short"), ("exactly twenty chars", 20, "exactly twenty chars"), ("abc", 1, "a"), ("abc", 0, ""),
    ("日本語のコマンド", 7, "日本語…"),
])
def test_ellipsis(text: str, width: int, expected: str) -> None:
    assert ellipsis(text, width) == expected


def test_truncate_id() -> None:
    assert truncate_id("sha256:5feb00dff0192e19a2560d0c618cdb1b5656a0b9fc70ffcf1472047c280ddbdd") == "5feb00dff019"
    assert truncate_id("f69ea429798860f3") == "f69ea4297988"


@pytest.mark.parametrize("value, expected", [
    ({"b": 1, "a": [True, None]}, '{"b":1,"a":[true,null]}'),
    ({"x": 1.0, "y": 0.5, "z": 1e-7, "w": 1e21}, '{"x":1,"y":0.5,"z":1e-7,"w":1e+21}'),
    ("<&>\u2028", '"<&>\\u2028"'),
    ("\x00\b\f", '"\\u0000\\b\\f"'),
])
def test_json_encoding(value: object, expected: str) -> None:
    assert gojson.encode(value) == expected


def test_json_html_escaping_and_sorting() -> None:
    assert gojson.encode({"b": "<", "a": "&"}, escape_html=True, sort_keys=True) == '{"a":"\\u0026","b":"\\u003c"}'


def test_json_indent_like_docker_inspect() -> None:
    assert gojson.encode([{"A": [], "B": {}, "C": [1]}], indent="    ") == (
        '[\n    {\n        "A": [],\n        "B": {},\n        "C": [\n            1\n        ]\n    }\n]')


def test_rfc3339_round_trip() -> None:
    nanos = parse_rfc3339_nano("2026-11-25T17:24:20.445666362Z")
    assert nanos == 1795627460445666362
    assert parse_rfc3339_nano("2026-11-25T18:24:20.445666362+01:00") == nanos
    assert parse_rfc3339_nano("0001-01-01T00:00:00Z") is not None
    assert parse_rfc3339_nano("yesterday") is None


def test_times_in_utc(monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    assert go_time_string(1700000000) == "2023-11-14 22:13:20 +0000 UTC"
    assert rfc3339_nano_fixed(1700000000000000001) == "2023-11-14T22:13:20.000000001Z"
    assert get_timestamp("2023-11-14T22:13:20Z") == "1700000000.000000000"
    assert get_timestamp("2023-11-14") == "1699920000.000000000"


def test_durations_and_timestamps() -> None:
    assert parse_go_duration("1h30m") == 5400
    assert parse_go_duration("10s") == 10
    assert parse_go_duration("-5m") == -300
    assert parse_go_duration("10") is None
    assert get_timestamp("10m", now=1000.0) == "400.000000000"
    assert get_timestamp("1700000000") == "1700000000"
    with pytest.raises(UsageError):
        get_timestamp("last tuesday")
