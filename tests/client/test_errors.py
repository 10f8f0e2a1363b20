"""Errors from the engine become EngineError with its message; no engine, EngineUnavailable."""

import os
import socket
from pathlib import Path

import pytest

from sandbox.client import EngineClient, EngineError, EngineProtocolError, EngineUnavailable, MockResponse, MockRouter


def test_server_message_becomes_the_error(client: EngineClient, router: MockRouter) -> None:
    router.add("GET", "/containers/nope/json", MockResponse.error(404, "No such container: nope"))
    with pytest.raises(EngineError) as info:
        client.containers.inspect("nope")
    assert info.value.status == 404
    assert info.value.message == "No such container: nope"


def test_plain_text_error_body_is_kept(client: EngineClient, router: MockRouter) -> None:
    router.add("POST", "/containers/x/start", MockResponse(500, b"boom\n"))
    with pytest.raises(EngineError) as info:
        client.containers.start("x")
    assert info.value.message == "boom"


def test_empty_error_body_uses_status_line(client: EngineClient, router: MockRouter) -> None:
    router.add("POST", "/containers/x/start", MockResponse(409, b"", reason="Conflict"))
    with pytest.raises(EngineError) as info:
        client.containers.start("x")
    assert info.value.message == "409 Conflict"


def test_json_without_message_keeps_the_body(client: EngineClient, router: MockRouter) -> None:
    router.add("GET", "/info", MockResponse.json({"error": "odd"}, status=500))
    with pytest.raises(EngineError) as info:
        client.info()
    assert "odd" in info.value.message


def test_success_that_is_not_json_is_a_protocol_error(client: EngineClient, router: MockRouter) -> None:
    router.add("GET", "/info", MockResponse(200, b"<html>"))
    with pytest.raises(EngineProtocolError):
        client.info()


def test_missing_socket_is_unavailable_with_the_up_hint(tmp_path: Path) -> None:
    client = EngineClient(str(tmp_path / "nothing.sock"))
    with pytest.raises(EngineUnavailable) as info:
        client.ping()
    assert "sudo sandbox up" in (info.value.hint or "")
    assert str(tmp_path / "nothing.sock") in info.value.message


def test_socket_without_listener_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "dead.sock"
    # Bound but never listening: connect() gets ECONNREFUSED, as after a daemon crash.
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(str(path))
    try:
        with pytest.raises(EngineUnavailable) as info:
            EngineClient(f"unix://{path}").ping()
        assert "refused" in info.value.reason
    finally:
        sock.close()


@pytest.mark.skipif(os.geteuid() == 0, reason="root opens any socket")
def test_permission_denied_names_the_group(tmp_path: Path) -> None:
    path = tmp_path / "private.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(str(path))
    sock.listen(1)
    os.chmod(path, 0)
    try:
        with pytest.raises(EngineUnavailable) as info:
            EngineClient(str(path)).ping()
        assert "sandbox" in (info.value.hint or "")
    finally:
        sock.close()


def test_render_shows_message_and_hint(tmp_path: Path) -> None:
    with pytest.raises(EngineUnavailable) as info:
        EngineClient(str(tmp_path / "x.sock")).ping()
    assert info.value.render().splitlines()[1].startswith("hint: ")
