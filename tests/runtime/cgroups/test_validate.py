"""Impossible limits are refused before the kernel is touched, naming the field."""

from __future__ import annotations

import pytest

from sandbox.errors import CgroupError, ResourceError
from sandbox.runtime.cgroups import MIN_MEMORY, validate_resources
from sandbox.runtime.cgroups.names import relative_path
from sandbox.runtime.resources import Resources

MiB = 1 << 20


@pytest.mark.parametrize("r", [
    None,
    Resources(),
    Resources(memory_limit=MIN_MEMORY),
    Resources(memory_limit=0),
    Resources(memory_limit=64 * MiB, memory_swap=-1),
    Resources(memory_limit=64 * MiB, memory_swap=64 * MiB),
    Resources(memory_swap=-1),
    Resources(cpu_quota=-1, cpu_period=100000),
    Resources(cpu_quota=1000, cpu_period=1000),
    Resources(cpu_period=1_000_000, cpu_shares=2),
    Resources(cpu_shares=262144, pids_limit=-1),
])
def test_possible_limits_pass(r: Resources | None) -> None:
    validate_resources(r)


@pytest.mark.parametrize(("r", "field", "words"), [
    (Resources(memory_limit=-1), "memory_limit", "negative"),
    (Resources(memory_limit=MIN_MEMORY - 1), "memory_limit", "6 MiB"),
    (Resources(memory_limit=1), "memory_limit", "6 MiB"),
    (Resources(memory_limit=64 * MiB, memory_swap=-2), "memory_swap", "-1"),
    (Resources(memory_swap=64 * MiB), "memory_swap", "needs a memory limit"),
    (Resources(memory_limit=64 * MiB, memory_swap=32 * MiB), "memory_swap", "smaller"),
    (Resources(cpu_quota=-5), "cpu_quota", "positive"),
    (Resources(cpu_quota=999), "cpu_quota", "minimum"),
    (Resources(cpu_period=999), "cpu_period", "range"),
    (Resources(cpu_period=1_000_001), "cpu_period", "range"),
    (Resources(cpu_shares=1), "cpu_shares", "2..262144"),
    (Resources(cpu_shares=262145), "cpu_shares", "2..262144"),
])
def test_impossible_limits_name_the_field(r: Resources, field: str, words: str) -> None:
    with pytest.raises(ResourceError) as e:
        validate_resources(r)
    assert isinstance(e.value, CgroupError)
    assert e.value.field == field
    assert words in str(e.value)
    assert str(e.value).startswith(f"resources.{field} = ")


def test_memory_errors_carry_a_hint() -> None:
    with pytest.raises(ResourceError) as e:
        validate_resources(Resources(memory_limit=4 * MiB))
    assert e.value.hint and "6m" in e.value.hint
    assert "\n" not in str(e.value)  # one clear line


def test_relative_path() -> None:
    assert relative_path("sandbox", "web") == "sandbox/web"
    assert relative_path("sandbox/node1", "pod/app") == "sandbox/node1/pod/app"
    assert relative_path("/sandbox/", "/web") == "sandbox/web"


@pytest.mark.parametrize(("parent", "name"), [
    ("sandbox", "../escape"), ("sandbox", "a/../../b"), ("sandbox", ""), ("sandbox", "/"),
    ("sandbox", "a//b"), ("sandbox", "./a"), ("sandbox", "a\0b"), ("", "web"), ("/", "web"),
    ("..", "web"),
])
def test_relative_path_refuses_leaving_the_parent(parent: str, name: str) -> None:
    with pytest.raises(CgroupError):
        relative_path(parent, name)
