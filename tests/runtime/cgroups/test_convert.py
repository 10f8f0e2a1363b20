"""OCI values to cgroup file values, and parsing what the files say."""

from __future__ import annotations

import pytest

from sandbox.runtime.cgroups.convert import (
    cpu_max_v2,
    cpu_weight_from_shares,
    memory_value,
    pids_value,
    swap_max_v2,
)
from sandbox.runtime.cgroups.stats import parse_keyed, parse_limit


@pytest.mark.parametrize(("shares", "weight"), [(2, 1), (1024, 39), (512, 20), (262144, 10000)])
def test_cpu_weight_follows_runc(shares: int, weight: int) -> None:
    assert cpu_weight_from_shares(shares) == weight


def test_swap_max_is_swap_alone_in_v2() -> None:
    assert swap_max_v2(96 << 20, 64 << 20) == str(32 << 20)
    assert swap_max_v2(64 << 20, 64 << 20) == "0"  # memory+swap == memory: no swap at all
    assert swap_max_v2(-1, 64 << 20) == "max"
    assert swap_max_v2(0, 64 << 20) is None


def test_cpu_max() -> None:
    assert cpu_max_v2(20000, 100000, None) == "20000 100000"
    assert cpu_max_v2(50000, None, None) == "50000"
    assert cpu_max_v2(-1, 100000, None) == "max 100000"
    assert cpu_max_v2(None, 50000, None) == "max 50000"
    # a period change alone keeps the quota in force
    assert cpu_max_v2(None, 50000, "20000 100000") == "20000 50000"
    assert cpu_max_v2(None, None, "20000 100000") is None
    assert cpu_max_v2(0, 0, None) is None


def test_unlimited_spellings() -> None:
    assert memory_value(0, "max") == "max"
    assert memory_value(0, "-1") == "-1"
    assert memory_value(6 << 20, "max") == str(6 << 20)
    assert pids_value(0) == "max"
    assert pids_value(-1) == "max"
    assert pids_value(20) == "20"


def test_parse_keyed_skips_lines_it_cannot_read() -> None:
    text = "anon 4096\nfile 8192\nweird line here\nempty\n"
    assert parse_keyed(text) == {"anon": 4096, "file": 8192}


@pytest.mark.parametrize(("text", "value"), [
    ("max", None), ("9223372036854771712", None), ("-1", None), ("", None),
    ("33554432", 33554432), ("20\n", 20),
])
def test_parse_limit(text: str, value: int | None) -> None:
    assert parse_limit(text) == value
