import pytest

from sandbox.commands.render.units import bytes_size, from_human_size, human_duration, human_size, ram_in_bytes

MINUTE, HOUR, DAY = 60, 3600, 86400
WEEK, MONTH, YEAR = 7 * DAY, 30 * DAY, 365 * DAY


@pytest.mark.parametrize("seconds, expected", [
    (0.45, "Less than a second"), (1, "1 second"), (45, "45 seconds"), (59, "59 seconds"),
    (60, "About a minute"), (3 * MINUTE, "3 minutes"), (35 * MINUTE + 40, "35 minutes"), (59 * MINUTE, "59 minutes"),
    (HOUR, "About an hour"), (HOUR + 29 * MINUTE, "About an hour"), (HOUR + 31 * MINUTE, "2 hours"),
    (3 * HOUR + 29 * MINUTE, "3 hours"), (3 * HOUR + 31 * MINUTE, "4 hours"), (DAY, "24 hours"),
    (DAY + 12 * HOUR, "36 hours"), (2 * DAY, "2 days"), (13 * DAY + 5 * HOUR, "13 days"), (2 * WEEK, "2 weeks"),
    (4 * WEEK + 3 * DAY, "4 weeks"), (MONTH, "4 weeks"), (MONTH + 2 * WEEK, "6 weeks"), (2 * MONTH, "2 months"),
    (13 * MONTH, "13 months"), (24 * MONTH, "24 months"), (24 * MONTH + 2 * WEEK, "2 years"),
    (3 * YEAR + 2 * MONTH, "3 years"),
])
def test_human_duration_matches_go_units(seconds: float, expected: str) -> None:
    assert human_duration(seconds) == expected


@pytest.mark.parametrize("size, precision, expected", [
    (0, 3, "0B"), (1984230, 3, "1.98MB"), (1984230, 4, "1.984MB"), (4260000, 3, "4.26MB"), (999, 3, "999B"),
    (1000, 3, "1kB"), (999999, 3, "1e+03kB"), (2 * 10**9, 4, "2GB"), (1536, 4, "1.536kB"),
])
def test_human_size_decimal(size: int, precision: int, expected: str) -> None:
    assert human_size(size, precision) == expected


@pytest.mark.parametrize("size, expected", [
    (0, "0B"), (319488, "312KiB"), (int(23.54 * 1024**3), "23.54GiB"), (1023, "1023B"), (1024, "1KiB"),
])
def test_bytes_size_binary(size: int, expected: str) -> None:
    assert bytes_size(size) == expected


@pytest.mark.parametrize("text, expected", [
    ("64m", 64 * 2**20), ("64M", 64 * 2**20), ("64mb", 64 * 2**20), ("64MiB", 64 * 2**20), ("1.5g", 3 * 2**29),
    ("100", 100), ("1k", 1024), ("2 GB", 2 * 2**30),
])
def test_ram_in_bytes(text: str, expected: int) -> None:
    assert ram_in_bytes(text) == expected


@pytest.mark.parametrize("text, problem", [
    ("", "invalid size: ''"), ("m", "invalid size: 'm'"), ("64x", "invalid suffix: 'x'"), ("1mbb", "invalid suffix: 'mbb'"),
    ("-1m", "invalid size: '-1m'"), ("1.2.3", 'strconv.ParseFloat: parsing "1.2.3": invalid syntax'),
    ("1kbytes", "invalid suffix: 'kbytes'"), ("2mx", "invalid suffix: 'mx'"),
])
def test_ram_in_bytes_rejects_in_go_units_words(text: str, problem: str) -> None:
    with pytest.raises(ValueError) as info:
        ram_in_bytes(text)
    assert str(info.value) == problem


def test_from_human_size_is_decimal() -> None:
    assert from_human_size("10MB") == 10_000_000
