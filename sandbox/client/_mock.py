"""An in-process engine for tests: canned responses, streams and hijacked sockets.

    router = MockRouter()
    router.add("GET", "/containers/json", MockResponse.json([...]))
    client = EngineClient(transport=MockTransport(router))

Every request is recorded in ``transport.requests`` (version prefix included) so a test can
assert what was sent, the way the wire log in the reference docs was taken.
"""

from __future__ import annotations

import io
import json
import re
import socket
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from ._http import Headers, Request
from ._transport import Upgraded


@dataclass
class MockResponse:
    status: int = 200
    body: bytes | Iterable[bytes] = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    reason: str = ""
    upgrade: Callable[[socket.socket], None] | None = None
    """For a 101: runs in a thread with the server's end of the socket (and closes it)."""

    @classmethod
    def json(cls, obj: object, status: int = 200, headers: Mapping[str, str] | None = None) -> "MockResponse":
        return cls(status, json.dumps(obj).encode() + b"\n",
                   {"Content-Type": "application/json", **(headers or {})})

    @classmethod
    def error(cls, status: int, message: str) -> "MockResponse":
        return cls.json({"message": message}, status)

    @classmethod
    def ndjson(cls, objects: Iterable[object]) -> "MockResponse":
        return cls(200, (json.dumps(o).encode() + b"\n" for o in objects), {"Content-Type": "application/json"})

    @classmethod
    def hijacked(cls, serve: Callable[[socket.socket], None], content_type: str = "") -> "MockResponse":
        headers = {"Connection": "Upgrade", "Upgrade": "tcp"}
        if content_type:
            headers["Content-Type"] = content_type
        return cls(101, b"", headers, "UPGRADED", serve)


Handler = Callable[[Request], MockResponse]


class _ChunkSource(io.RawIOBase):
    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks: Iterator[bytes] = iter(chunks)
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while not self._pending:
            try:
                self._pending = next(self._chunks)
            except StopIteration:
                return 0
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n


class _MockBody:
    def __init__(self, response: MockResponse) -> None:
        self.status = response.status
        self.reason = response.reason
        self.headers = Headers(response.headers)
        chunks = [response.body] if isinstance(response.body, bytes) else response.body
        self._stream = io.BufferedReader(_ChunkSource(chunks))
        self.closed = False

    def read(self, amt: int | None = None) -> bytes:
        return self._stream.read(-1 if amt is None else amt)

    def read1(self, amt: int = -1) -> bytes:
        return self._stream.read1(amt)

    def readline(self) -> bytes:
        return self._stream.readline()

    def close(self) -> None:
        self.closed = True


class MockTransport:
    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[Request] = []
        self._threads: list[threading.Thread] = []

    def send(self, request: Request) -> _MockBody:
        self.requests.append(request)
        return _MockBody(self.handler(request))

    def hijack(self, request: Request) -> Upgraded:
        self.requests.append(request)
        response = self.handler(request)
        headers = Headers(response.headers)
        if response.status != 101 or response.upgrade is None:
            body = response.body if isinstance(response.body, bytes) else b"".join(response.body)
            return Upgraded(response.status, response.reason, headers, body=body)
        ours, theirs = socket.socketpair()
        serve = response.upgrade

        def run() -> None:
            with theirs:
                serve(theirs)

        thread = threading.Thread(target=run, name="mock-hijack", daemon=True)
        thread.start()
        self._threads.append(thread)
        return Upgraded(101, response.reason, headers, sock=ours)

    def close(self) -> None:
        for thread in self._threads:
            thread.join(timeout=5)

    def routes(self) -> list[str]:
        """``METHOD /route`` of every request, without version prefix or query."""
        return [f"{r.method} {_unversioned(r.route)}" for r in self.requests]


_VERSION = re.compile(r"^/v\d+\.\d+(?=/)")


def _unversioned(path: str) -> str:
    return _VERSION.sub("", path)


class MockRouter:
    """Routes requests (matched without the ``/v1.xx`` prefix) to canned responses or
    handlers; answers ``/_ping`` with ``api_version`` unless a route says otherwise."""

    def __init__(self, api_version: str = "1.47") -> None:
        self.api_version = api_version
        self._routes: list[tuple[str, re.Pattern[str], MockResponse | Handler]] = []

    def add(self, method: str, pattern: str, response: MockResponse | Handler) -> "MockRouter":
        self._routes.append((method.upper(), re.compile(pattern + r"\Z"), response))
        return self

    def __call__(self, request: Request) -> MockResponse:
        route = _unversioned(request.route)
        for method, pattern, response in reversed(self._routes):
            if method == request.method and pattern.match(route):
                return response(request) if callable(response) else response
        if route == "/_ping" and request.method in ("GET", "HEAD"):
            return MockResponse(200, b"OK" if request.method == "GET" else b"",
                                {"Api-Version": self.api_version, "Ostype": "linux"})
        return MockResponse.error(404, f"page not found: {request.method} {route}")
