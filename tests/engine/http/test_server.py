"""Replies: JSON and empty bodies, errors by exception type, keep-alive, and streams."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable

import pytest

from sandbox.engine.http.testing import TestClient

from .conftest import Gate


def test_every_reply_carries_the_engine_headers(client: TestClient) -> None:
    for r in (client.get("/echo/x"), client.get("/missing"), client.get("/nowhere")):
        assert r.headers.get("Api-Version") == "1.47"
        assert r.headers.get("Docker-Experimental") == "false"
        assert r.headers.get("Ostype") == "linux"
        assert (r.headers.get("Server") or "").startswith("sandbox/")


def test_json_201_204_304(client: TestClient) -> None:
    r = client.post("/created")
    assert r.status == 201 and r.json() == {"Id": "abc"}
    assert r.headers.get("Content-Type") == "application/json" and r.body.endswith(b"\n")
    r = client.post("/nothing")
    assert r.status == 204 and r.body == b"" and r.headers.get("Content-Length") is None
    r = client.post("/not-modified")
    assert r.status == 304 and r.body == b""


@pytest.mark.parametrize("path, status, message", [
    ("/missing", 404, "container web does not exist"),
    ("/conflict", 409, "container web already exists"),
    ("/state", 409, "cannot start container web: it is paused"),
    ("/bad", 400, "bad value for x"),
    ("/plain-error", 500, "something broke"),
])
def test_errors_get_their_status_from_the_exception(client: TestClient, path: str, status: int,
                                                    message: str) -> None:
    r = client.get(path)
    assert r.status == status and r.json()["message"] == message


def test_an_error_carries_its_hint(client: TestClient) -> None:
    assert client.get("/bad").json() == {"message": "bad value for x", "hint": "use a number"}


def test_a_crashing_handler_is_a_500_and_the_server_goes_on(client: TestClient) -> None:
    r = client.get("/crash")
    assert r.status == 500 and "division by zero" in r.json()["message"]
    r = client.get("/wrong-type")
    assert r.status == 500 and "int" in r.json()["message"]
    assert client.get("/echo/still-here").json()["word"] == "still-here"


def test_keep_alive_serves_many_requests_on_one_connection(client: TestClient) -> None:
    one = b"GET /echo/a HTTP/1.1\r\nHost: x\r\n\r\n"
    bad = b"GET /missing HTTP/1.1\r\nHost: x\r\n\r\n"
    last = b"GET /echo/b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    reply = client.raw(one + bad + one + last)
    assert reply.count(b"HTTP/1.1 200 OK") == 3 and reply.count(b"HTTP/1.1 404 Not Found") == 1
    assert reply.rstrip().endswith(b'"b":null}}')


def test_an_error_with_an_unread_body_closes_the_connection(client: TestClient) -> None:
    # 404 before the body was read: the rest of the bytes cannot be trusted as a request.
    reply = client.raw(b"POST /nowhere HTTP/1.1\r\nContent-Length: 5\r\n\r\nGET /echo/a HTTP/1.1\r\n\r\n")
    assert reply.count(b"HTTP/1.1 ") == 1 and b"Connection: close" in reply


def test_head_gets_headers_only(client: TestClient) -> None:
    r = client.raw(b"GET /echo/a HTTP/1.1\r\nConnection: close\r\n\r\n")
    h = client.raw(b"HEAD /echo/a HTTP/1.1\r\nConnection: close\r\n\r\n")
    assert h.endswith(b"\r\n\r\n") and not r.endswith(b"\r\n\r\n")


def test_http10_gets_an_unchunked_stream(client: TestClient) -> None:
    reply = client.raw(b"GET /count?n=2 HTTP/1.0\r\n\r\n")
    head, _, body = reply.partition(b"\r\n\r\n")
    assert b"Transfer-Encoding" not in head
    assert [json.loads(x) for x in body.splitlines()] == [{"i": 0}, {"i": 1}]


def test_ndjson_stream_is_chunked(client: TestClient) -> None:
    with client.stream("GET", "/count", query={"n": 5}) as s:
        assert s.status == 200 and s.headers.get("Transfer-Encoding") == "chunked"
        assert s.headers.get("Content-Type") == "application/json"
        assert list(s.json_lines()) == [{"i": i} for i in range(5)]


def test_stream_headers_are_flushed_before_the_body_exists(client: TestClient, gate: Gate) -> None:
    """The /wait rule: ``docker run`` sends /start only after /wait's headers arrived."""
    with client.stream("POST", "/wait") as s:
        # We hold the headers, and the body cannot exist yet: the gate is still shut.
        assert s.status == 200 and gate.event is not None and not gate.event.is_set()
        gate.open()
        assert s.json_line() == {"StatusCode": 3}
        assert s.line() is None


def test_a_client_that_leaves_ends_the_stream(client: TestClient, gate: Gate) -> None:
    s = client.stream("POST", "/wait")
    assert s.status == 200
    s.close()
    deadline_ok = client.run(_poll(lambda: gate.closed))
    assert deadline_ok, "the stream's generator was not closed after the client left"


async def _poll(check: Callable[[], bool], timeout: float = 5.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if check():
            return True
        await asyncio.sleep(0.01)
    return False


def test_an_error_mid_stream_becomes_an_error_object(client: TestClient) -> None:
    with client.stream("GET", "/stream-error") as s:
        assert s.json_line() == {"status": "one"}
        assert s.json_line() == {"errorDetail": {"message": "it went wrong"}, "error": "it went wrong"}
        assert s.line() is None
