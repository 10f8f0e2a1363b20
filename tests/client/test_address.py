import pytest

from sandbox.client import DEFAULT_SOCKET, EngineUnavailable, socket_path


def test_default_when_nothing_is_set() -> None:
    assert socket_path(None, env={}) == DEFAULT_SOCKET == "/run/sandbox/engine.sock"


def test_docker_host_from_the_environment() -> None:
    assert socket_path(None, env={"DOCKER_HOST": "unix:///tmp/e.sock"}) == "/tmp/e.sock"


def test_explicit_address_wins_over_environment() -> None:
    assert socket_path("unix:///a.sock", env={"DOCKER_HOST": "unix:///b.sock"}) == "/a.sock"


def test_plain_path_is_accepted() -> None:
    assert socket_path("/var/run/x.sock", env={}) == "/var/run/x.sock"


def test_empty_docker_host_falls_back_to_default() -> None:
    assert socket_path(None, env={"DOCKER_HOST": ""}) == DEFAULT_SOCKET


@pytest.mark.parametrize("address", ["tcp://127.0.0.1:2375", "ssh://host", "npipe:////./pipe/docker"])
def test_non_unix_addresses_are_refused(address: str) -> None:
    with pytest.raises(EngineUnavailable) as info:
        socket_path(address, env={})
    assert "only unix://" in info.value.message
    assert info.value.hint


def test_unix_address_without_path_is_refused() -> None:
    with pytest.raises(EngineUnavailable):
        socket_path("unix://", env={})
