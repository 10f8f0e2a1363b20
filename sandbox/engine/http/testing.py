"""A synchronous test client for an ``App``: in memory by default, or over a unix socket.

    with TestClient(app) as client:
        assert client.get("/_ping").text == "OK"
        with client.stream("GET", "/events") as events:
            first = events.json_line()

The server runs on an event loop in a background thread, as the daemon runs it, so
handlers, thread-pool calls and streams behave as they do in production.
"""

from __future__ import annotations

import asyncio
import json as jsonlib
import threading
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import urlencode

from sandbox.engine.http.app import App
from sandbox.engine.http.pipe import Pipe
from sandbox.engine.http.request import Headers
from sandbox.engine.http.server import Server

T = TypeVar("T")
_UNSET: Any = object()


@dataclass
class TestResponse:
    status: int
    headers: Headers
    body: bytes

    __test__ = False  # not a pytest test class

    @property
    def text(self) -> str:
        return self.body.decode()

    def json(self) -> Any:
        return jsonlib.loads(self.body)


class _Conn:
    """One client connection: a reader and a writer, in memory or on a socket."""

    def __init__(self, reader: asyncio.StreamReader, writer: Any) -> None:
        self.reader = reader
        self.writer = writer

    async def read_head(self) -> tuple[int, Headers]:
        status_line = await self.reader.readuntil(b"\r\n")
        parts = status_line.decode("latin-1").split(" ", 2)
        status = int(parts[1])
        items: list[tuple[str, str]] = []
        while True:
            line = await self.reader.readuntil(b"\r\n")
            if line == b"\r\n":
                break
            name, _, value = line.decode("latin-1").partition(":")
            items.append((name, value.strip()))
        return status, Headers(items)

    async def read_chunk(self, headers: Headers) -> bytes | None:
        """The next piece of a body: a chunk, or whatever arrives of an unframed one."""
        if (headers.get("Transfer-Encoding") or "").lower() == "chunked":
            size = int((await self.reader.readuntil(b"\r\n")).strip(), 16)
            if size == 0:
                await self.reader.readuntil(b"\r\n")
                return None
            data = await self.reader.readexactly(size)
            await self.reader.readexactly(2)
            return data
        data = await self.reader.read(65536)
        return data or None

    async def read_body(self, method: str, status: int, headers: Headers) -> bytes:
        if method == "HEAD" or status in (204, 304) or status < 200:
            return b""
        length = headers.get("Content-Length")
        if length is not None:
            return await self.reader.readexactly(int(length))
        parts = []
        while (data := await self.read_chunk(headers)) is not None:
            parts.append(data)
        return b"".join(parts)

    def close(self) -> None:
        self.writer.close()


class TestStream:
    """A response read as it arrives (events, progress, ``/wait``)."""

    __test__ = False

    def __init__(self, client: TestClient, conn: _Conn, status: int, headers: Headers) -> None:
        self._client = client
        self._conn = conn
        self.status = status
        self.headers = headers
        self._buf = b""
        self.ended = False

    def line(self, timeout: float | None = None) -> bytes | None:
        """The next line (without its newline), or None at the end of the body."""
        while b"\n" not in self._buf:
            if self.ended:
                rest, self._buf = self._buf, b""
                return rest or None
            data = self._client.run(self._conn.read_chunk(self.headers), timeout)
            if data is None:
                self.ended = True
            else:
                self._buf += data
        line, _, self._buf = self._buf.partition(b"\n")
        return line

    def json_line(self, timeout: float | None = None) -> Any:
        line = self.line(timeout)
        return None if line is None else jsonlib.loads(line)

    def json_lines(self, timeout: float | None = None) -> Iterator[Any]:
        """Every remaining JSON line until the body ends."""
        while (doc := self.json_line(timeout)) is not None:
            yield doc

    def close(self) -> None:
        self._client.call_soon(self._conn.close)

    def __enter__(self) -> TestStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class TestClient:
    __test__ = False

    def __init__(self, app: App, *, socket: Path | None = None, timeout: float = 10.0) -> None:
        self.app = app
        self.socket_path = socket
        self.timeout = timeout
        self.server = Server(app)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="test-engine", daemon=True)
        self._thread.start()
        self._tasks: set[asyncio.Task[Any]] = set()
        if socket is not None:
            self.run(self.server.start_unix(socket))

    # -- plumbing ---------------------------------------------------------------------------

    def run(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run a coroutine on the server's loop and wait for its result."""
        future = asyncio.run_coroutine_threadsafe(coro, self._loop)
        return future.result(self.timeout if timeout is None else timeout)

    def call_soon(self, fn: Any, *args: Any) -> None:
        self._loop.call_soon_threadsafe(fn, *args)

    async def _connect(self) -> _Conn:
        if self.socket_path is not None:
            reader, writer = await asyncio.open_unix_connection(str(self.socket_path))
            return _Conn(reader, writer)
        pipe = Pipe(self.app.limits.reader_limit)
        task = asyncio.create_task(self.server.handle(pipe.server_reader, pipe.server_writer))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return _Conn(pipe.client_reader, pipe.client_writer)

    @staticmethod
    def _request_bytes(method: str, path: str, query: dict[str, Any] | None, json: Any, body: bytes | None,
                       headers: dict[str, str] | None, chunked: bool) -> bytes:
        target = path + ("?" + urlencode(query, doseq=True) if query else "")
        hdrs = {"Host": "api.moby.localhost", "User-Agent": "sandbox-test"}
        if json is not _UNSET:
            body = jsonlib.dumps(json).encode()
            hdrs["Content-Type"] = "application/json"
        hdrs.update(headers or {})
        payload = body or b""
        if chunked:
            hdrs["Transfer-Encoding"] = "chunked"
            step = 7  # small odd chunks, so the parser sees many boundaries
            payload = b"".join(b"%x\r\n%s\r\n" % (len(payload[i:i + step]), payload[i:i + step])
                               for i in range(0, len(payload), step)) + b"0\r\n\r\n"
        elif body is not None:
            hdrs["Content-Length"] = str(len(body))
        head = f"{method} {target} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in hdrs.items()) + "\r\n"
        return head.encode() + payload

    # -- requests ---------------------------------------------------------------------------

    def request(self, method: str, path: str, *, query: dict[str, Any] | None = None, json: Any = _UNSET,
                body: bytes | None = None, headers: dict[str, str] | None = None,
                chunked: bool = False) -> TestResponse:
        data = self._request_bytes(method, path, query, json, body, headers, chunked)

        async def go() -> TestResponse:
            conn = await self._connect()
            try:
                conn.writer.write(data)
                await conn.writer.drain()
                status, hdrs = await conn.read_head()
                return TestResponse(status, hdrs, await conn.read_body(method, status, hdrs))
            finally:
                conn.close()

        return self.run(go())

    def get(self, path: str, **kw: Any) -> TestResponse:
        return self.request("GET", path, **kw)

    def head(self, path: str, **kw: Any) -> TestResponse:
        return self.request("HEAD", path, **kw)

    def post(self, path: str, **kw: Any) -> TestResponse:
        return self.request("POST", path, **kw)

    def put(self, path: str, **kw: Any) -> TestResponse:
        return self.request("PUT", path, **kw)

    def delete(self, path: str, **kw: Any) -> TestResponse:
        return self.request("DELETE", path, **kw)

    def stream(self, method: str, path: str, *, query: dict[str, Any] | None = None, json: Any = _UNSET,
               body: bytes | None = None, headers: dict[str, str] | None = None) -> TestStream:
        """Send a request and return as soon as the reply's headers are in."""
        data = self._request_bytes(method, path, query, json, body, headers, False)

        async def go() -> tuple[_Conn, int, Headers]:
            conn = await self._connect()
            conn.writer.write(data)
            await conn.writer.drain()
            status, hdrs = await conn.read_head()
            return conn, status, hdrs

        conn, status, hdrs = self.run(go())
        return TestStream(self, conn, status, hdrs)

    def raw(self, data: bytes, *, half_close: bool = True) -> bytes:
        """Send bytes as they are and read everything until the server closes."""

        async def go() -> bytes:
            conn = await self._connect()
            try:
                conn.writer.write(data)
                await conn.writer.drain()
                if half_close:
                    conn.writer.write_eof()
                return await conn.reader.read()
            finally:
                conn.close()

        return self.run(go())

    # -- lifetime ---------------------------------------------------------------------------

    def close(self) -> None:
        if not self._loop.is_running():
            return
        try:
            self.run(self.server.shutdown(grace=1.0))
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=self.timeout)
            self._loop.close()

    def __enter__(self) -> TestClient:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
