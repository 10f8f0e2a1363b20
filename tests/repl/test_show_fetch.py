"""What `show cgroups` says about a container that no longer runs."""

from __future__ import annotations

import pytest

from sandbox.client import EngineClient, MockResponse, MockRouter, MockTransport
from sandbox.errors import NothingToShow
from sandbox.repl.show import fetch


def _client(state: dict) -> EngineClient:
    router = MockRouter(api_version="1.47")
    router.add("GET", "/sandbox/containers/hog/cgroup", MockResponse.error(409, "container abc is not running"))
    router.add("GET", "/containers/hog/json", MockResponse.json({"Id": "abc", "State": state}))
    return EngineClient(transport=MockTransport(router))


def test_an_oom_killed_container_is_named_as_such() -> None:
    with pytest.raises(NothingToShow) as info:
        fetch.cgroup(_client({"Running": False, "OOMKilled": True, "ExitCode": 137}), "hog")
    assert "hog was OOM-killed (exit code 137)" in info.value.message
    assert "-m" in (info.value.hint or "")


def test_a_container_that_just_exited_is_asked_to_start() -> None:
    with pytest.raises(NothingToShow) as info:
        fetch.cgroup(_client({"Running": False, "OOMKilled": False, "ExitCode": 0}), "hog")
    assert "not running" in info.value.message and "docker start hog" in (info.value.hint or "")
