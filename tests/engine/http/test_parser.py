"""Request parsing: heads, bodies, limits, and the 4xx every kind of garbage gets."""

from __future__ import annotations

import asyncio
import json

import pytest

from sandbox.engine.http.parser import BodyReader, Limits, RequestHead, read_head
from sandbox.engine.http.testing import TestClient
from sandbox.errors import HttpProtocolError


def parse(data: bytes, limits: Limits | None = None) -> RequestHead | None:
    limits = limits or Limits()

    async def go() -> RequestHead | None:
        reader = asyncio.StreamReader(limit=limits.reader_limit)
        reader.feed_data(data)
        reader.feed_eof()
        return await read_head(reader, limits)

    return asyncio.run(go())


def body_of(data: bytes, cap: int = 1 << 20) -> bytes:
    async def go() -> bytes:
        reader = asyncio.StreamReader()
        reader.feed_data(data)
        reader.feed_eof()
        head = await read_head(reader, Limits())
        assert head is not None
        return await BodyReader(reader, head, cap, Limits()).read_all()

    return asyncio.run(go())


def status_of(reply: bytes) -> int:
    assert reply.startswith(b"HTTP/1.1 "), reply[:60]
    return int(reply.split(b" ", 2)[1])


def test_a_plain_head() -> None:
    head = parse(b"GET /v1.41/containers/json?all=1 HTTP/1.1\r\nHost: api.moby.localhost\r\n"
                 b"User-Agent: Docker-Client/28.2.2 (linux)\r\n\r\n")
    assert head is not None
    assert (head.method, head.target, head.http_version) == ("GET", "/v1.41/containers/json?all=1", "HTTP/1.1")
    assert head.header("host") == "api.moby.localhost" and head.keep_alive and not head.has_body


def test_bare_newlines_and_leading_empty_lines_are_accepted() -> None:
    head = parse(b"\r\n\nPOST /x HTTP/1.1\nContent-Length: 2\n\n{}")
    assert head is not None and head.method == "POST" and head.content_length() == 2


def test_clean_close_between_requests_is_not_an_error() -> None:
    assert parse(b"") is None


def test_absolute_form_target_keeps_the_path() -> None:
    head = parse(b"GET http://api.moby.localhost/_ping HTTP/1.1\r\n\r\n")
    assert head is not None and head.target == "/_ping"


def test_keep_alive_rules() -> None:
    assert not parse(b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n").keep_alive
    assert not parse(b"GET / HTTP/1.0\r\n\r\n").keep_alive
    assert parse(b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").keep_alive


@pytest.mark.parametrize("data, status, words", [
    (b"garbage\r\n\r\n", 400, "request line"),
    (b"GET /\r\n\r\n", 400, "request line"),
    (b"GET  / HTTP/1.1\r\n\r\n", 400, "request line"),
    (b"G(T / HTTP/1.1\r\n\r\n", 400, "method"),
    (b"GET / HTTP/9\r\n\r\n", 400, "version"),
    (b"GET / HTTP/2.0\r\n\r\n", 505, "not supported"),
    (b"GET nope HTTP/1.1\r\n\r\n", 400, "target"),
    (b"GET /a\x01b HTTP/1.1\r\n\r\n", 400, "control"),
    (b"GET / HTTP/1.1\r\nNo colon here\r\n\r\n", 400, "header"),
    (b"GET / HTTP/1.1\r\nBad Name: x\r\n\r\n", 400, "header"),
    (b"GET / HTTP/1.1\r\nA: b\r\n folded\r\n\r\n", 400, "folded"),
    (b"GET / HTTP/1.1\r\nA: b\x00c\r\n\r\n", 400, "control"),
    (b"GET / HTTP/1.1\r\nContent-Length: ten\r\n\r\n", 400, "Content-Length"),
    (b"GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400, "conflicting"),
    (b"GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400, "Content-Length"),
    (b"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 501, "Transfer-Encoding"),
    (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n", 400, "both"),
    (b"GET / HTTP/1.1\r\nHost: x", 400, "ended"),
])
def test_malformed_heads(data: bytes, status: int, words: str) -> None:
    with pytest.raises(HttpProtocolError) as e:
        parse(data)
    assert e.value.status == status and words in e.value.message


def test_header_limits() -> None:
    limits = Limits(max_header_bytes=200, max_headers=3)
    with pytest.raises(HttpProtocolError) as e:
        parse(b"GET / HTTP/1.1\r\nA: " + b"x" * 300 + b"\r\n\r\n", limits)
    assert e.value.status == 431
    with pytest.raises(HttpProtocolError) as e:
        parse(b"GET / HTTP/1.1\r\n" + b"".join(b"H%d: v\r\n" % i for i in range(4)) + b"\r\n", limits)
    assert e.value.status == 431


def test_chunked_bodies() -> None:
    data = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\nX-Trailer: 1\r\n\r\n"
    assert body_of(data) == b"hello world"


@pytest.mark.parametrize("chunks, words", [
    (b"zz\r\nhi\r\n0\r\n\r\n", "chunk size"),
    (b"2\r\nhello\r\n0\r\n\r\n", "longer"),
    (b"5\r\nhel", "ended"),
    (b"5\r\nhello\r\n", "ended"),
])
def test_bad_chunked_bodies(chunks: bytes, words: str) -> None:
    with pytest.raises(HttpProtocolError) as e:
        body_of(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks)
    assert e.value.status == 400 and words in e.value.message


def test_body_caps_give_413() -> None:
    with pytest.raises(HttpProtocolError) as e:
        body_of(b"POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\n" + b"x" * 100, cap=10)
    assert e.value.status == 413
    with pytest.raises(HttpProtocolError) as e:
        body_of(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n8\r\n12345678\r\n0\r\n\r\n",
                cap=10)
    assert e.value.status == 413


def test_short_content_length_body_is_400() -> None:
    with pytest.raises(HttpProtocolError) as e:
        body_of(b"POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc")
    assert e.value.status == 400


# -- through the server --------------------------------------------------------------------------


def test_garbage_gets_a_json_400_and_the_connection_closes(client: TestClient) -> None:
    reply = client.raw(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 TLS hello\r\n\r\n")
    head, _, body = reply.partition(b"\r\n\r\n")
    assert status_of(reply) == 400
    assert b"Connection: close" in head and b"Api-Version: 1.47" in head
    assert "message" in json.loads(body)


def test_body_over_the_route_limit_is_413(client: TestClient) -> None:
    r = client.post("/small", body=b"x" * 11)
    assert r.status == 413 and "limit" in r.json()["message"]
    assert client.post("/small", body=b"x" * 10).json() == {"length": 10}


def test_chunked_json_body_through_the_server(client: TestClient) -> None:
    r = client.post("/body", json={"Image": "busybox", "Cmd": ["echo", "hi"] * 20}, chunked=True)
    assert r.status == 200 and r.json()["json"]["Image"] == "busybox"


def test_streamed_body_route_counts_every_byte(client: TestClient) -> None:
    payload = bytes(range(256)) * 1000
    assert client.post("/upload", body=payload, chunked=True).json() == {"length": len(payload)}
    assert client.post("/upload", body=payload).json() == {"length": len(payload)}


def test_bad_json_body_is_400_with_the_reason(client: TestClient) -> None:
    r = client.post("/body", body=b'{"Image": ', headers={"Content-Type": "application/json"})
    assert r.status == 400 and "invalid JSON" in r.json()["message"]
    r = client.post("/object", json=[1, 2])
    assert r.status == 400 and "JSON object" in r.json()["message"]


def test_expect_continue_gets_an_interim_reply(client: TestClient) -> None:
    reply = client.raw(b"POST /body HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n"
                       b"Connection: close\r\n\r\n{}")
    assert reply.startswith(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n")
