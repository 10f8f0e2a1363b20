"""HttpTransport against a small HTTP server on loopback: connections are reused, and a
broken or short answer is a RegistryUnavailable, never silently short data."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from sandbox.errors import RegistryUnavailable
from sandbox.images.registry import HttpTransport


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    ports: ClassVar[set[int]] = set()

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        type(self).ports.add(self.client_address[1])
        if self.path == "/short":
            # Promise 100 bytes, send 10, hang up.
            self.send_response(200)
            self.send_header("Content-Length", "100")
            self.end_headers()
            self.wfile.write(b"0123456789")
            self.wfile.flush()
            self.close_connection = True
            return
        if self.path in ("/close", "/drop"):
            self.send_response(200)
            self.send_header("Content-Length", "2")
            if self.path == "/close":
                self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(b"ok")
            # /drop hangs up without saying so: the client keeps a connection that is dead.
            self.close_connection = True
            return
        body = b"hello"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_PUT(self) -> None:
        length = int(self.headers["Content-Length"])
        data = self.rfile.read(length)
        self.send_response(201)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data[::-1])


@pytest.fixture
def server() -> Iterator[str]:
    _Handler.ports = set()
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{srv.server_address[1]}"
    finally:
        srv.shutdown()
        srv.server_close()
        thread.join(timeout=10)


def test_keep_alive_reuses_one_connection(server: str) -> None:
    t = HttpTransport(timeout=10)
    try:
        for _ in range(3):
            with t.request("GET", f"{server}/hello", {}) as resp:
                assert resp.status == 200 and resp.read() == b"hello"
                assert resp.header("Content-Length") == "5"
        with t.request("PUT", f"{server}/up", {"Content-Length": "3"}, b"abc") as resp:
            assert resp.status == 201 and resp.read() == b"cba"
        assert len(_Handler.ports) == 1
    finally:
        t.close()


@pytest.mark.parametrize("path", ["/close", "/drop"])
def test_a_closed_keep_alive_connection_is_replaced(server: str, path: str) -> None:
    t = HttpTransport(timeout=10)
    try:
        with t.request("GET", f"{server}{path}", {}) as resp:
            assert resp.read() == b"ok"
        with t.request("GET", f"{server}/hello", {}) as resp:
            assert resp.read() == b"hello"
        assert len(_Handler.ports) == 2
    finally:
        t.close()


def test_a_short_body_is_an_error(server: str) -> None:
    t = HttpTransport(timeout=10)
    try:
        with t.request("GET", f"{server}/short", {}) as resp:
            assert resp.read(10) == b"0123456789"
            with pytest.raises(RegistryUnavailable, match="closed 90 bytes early"):
                resp.read(90)
    finally:
        t.close()


def test_nothing_listening() -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        with pytest.raises(RegistryUnavailable, match="connection refused"):
            HttpTransport(timeout=5).request("GET", f"http://127.0.0.1:{port}/v2/", {})


def test_only_http_urls() -> None:
    with pytest.raises(RegistryUnavailable, match="not an http"):
        HttpTransport().request("GET", "file:///etc/passwd", {})
