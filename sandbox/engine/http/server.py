"""The asyncio HTTP/1.1 server: one task per connection, keep-alive, streaming and hijack.

Each request is read, routed, handed to its handler and answered; a bad request gets a
clean error and, where the framing is lost, the connection is closed, but the server never
stops for it. Synchronous handlers run in a thread pool so a slow service call (starting a
container) never stalls the other connections.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from sandbox.engine.http.app import App
from sandbox.engine.http.parser import BodyReader, RequestHead, read_head
from sandbox.engine.http.request import Headers, Query, Request
from sandbox.engine.http.response import (
    Hijacked,
    HijackResponse,
    Response,
    StreamResponse,
    Transport,
    error_body,
    json_response,
    no_content,
)
from sandbox.engine.http.router import Handler
from sandbox.engine.http.sendq import until_read
from sandbox.engine.http.wire import LAST_CHUNK, UPGRADE_101, allows_body, chunk, head_bytes
from sandbox.errors import HttpProtocolError, MethodNotAllowed, SandboxError

log = logging.getLogger("sandbox.engine.http")

HIJACK_READ_TIMEOUT = 5.0
"""Seconds to wait for a client to read the 101 before the stream starts (see ``sendq``)."""
HIJACK_LINGER_TIMEOUT = 2.0
"""Seconds a finished hijacked stream waits for the client's own close (see ``_linger``)."""


@dataclass
class _Conn:
    busy: bool = False


class Server:
    def __init__(self, app: App, *, workers: int = 32, hijack_read_timeout: float = HIJACK_READ_TIMEOUT) -> None:
        self.app = app
        self.hijack_read_timeout = hijack_read_timeout
        self.linger_timeout = HIJACK_LINGER_TIMEOUT
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="engine-api")
        self._server: asyncio.AbstractServer | None = None
        self._connections: dict[asyncio.Task[Any], _Conn] = {}
        self._closing = False

    async def start_unix(self, path: Path | str) -> None:
        self._server = await asyncio.start_unix_server(self.handle, path=str(path),
                                                       limit=self.app.limits.reader_limit)

    @property
    def connections(self) -> int:
        return len(self._connections)

    async def handle(self, reader: asyncio.StreamReader, writer: Transport) -> None:
        """Serve one connection until it closes (the transport seam: tests pass a pipe)."""
        task = asyncio.current_task()
        assert task is not None
        conn = _Conn()
        self._connections[task] = conn
        try:
            await self._serve(reader, writer, conn)
        except (ConnectionError, asyncio.IncompleteReadError) as e:
            log.debug("connection dropped: %s", e)
        finally:
            self._connections.pop(task, None)
            writer.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: Transport, conn: _Conn) -> None:
        while not self._closing:
            conn.busy = False
            try:
                head = await read_head(reader, self.app.limits)
            except HttpProtocolError as e:
                self._log_error("-", e, e.status)
                writer.write(self._error_head(e.status, e, close=True) + error_body(e.message))
                await writer.drain()
                return
            if head is None:
                return
            conn.busy = True
            if not await self._exchange(head, reader, writer):
                return

    # -- one request --------------------------------------------------------------------------

    async def _exchange(self, head: RequestHead, reader: asyncio.StreamReader, writer: Transport) -> bool:
        """Answer one request; True if the connection can carry another."""
        started = time.monotonic()
        line = f"{head.method} {head.target}"
        body: BodyReader | None = None
        try:
            raw_path, _, query = head.target.partition("?")
            match = self.app.router.resolve(head.method, raw_path)
            route = match.route
            if (head.header("Expect") or "").lower() == "100-continue" and head.has_body:
                writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            limits = self.app.limits
            cap = route.max_body or (limits.max_stream_body if route.stream_body else limits.max_body)
            body = BodyReader(reader, head, cap, limits)
            req = Request(head.method, match.path, head.target, match.api_version, Query.parse(query),
                          Headers(head.headers), match.params, http_version=head.http_version)
            if route.stream_body:
                req.stream = body
            else:
                req.body = await body.read_all()
            result = _as_response(await self._call(route.handler, req))
        except HttpProtocolError as e:
            self._log_error(line, e, e.status)
            await self._write(writer, head, self._error_response(e), keep=False)
            return False
        except SandboxError as e:
            status = self.app.errors.status_for(e)
            self._log_error(line, e, status)
            keep = head.keep_alive and _body_consumed(head, body)
            await self._write(writer, head, self._error_response(e), keep)
            return keep
        except Exception as e:  # the boundary: log it whole, answer 500, keep serving
            log.exception("%s: unexpected error", line)
            keep = head.keep_alive and _body_consumed(head, body)
            await self._write(writer, head, json_response({"message": f"internal error: {e}"}, 500), keep)
            return keep
        if isinstance(result, StreamResponse):
            await self._stream(reader, writer, head, result)
            log.debug("%s -> %d stream (%.1f ms)", line, result.status, _ms(started))
            return False
        if isinstance(result, HijackResponse):
            await self._hijack(reader, writer, head, result)
            return False
        keep = head.keep_alive and _body_consumed(head, body)
        await self._write(writer, head, result, keep)
        log.debug("%s -> %d (%.1f ms)", line, result.status, _ms(started))
        return keep

    async def _call(self, handler: Handler, req: Request) -> Any:
        if _is_async(handler):
            return await handler(req)  # type: ignore[misc]
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, partial(handler, req))

    # -- replies ------------------------------------------------------------------------------

    def _error_response(self, e: SandboxError) -> Response:
        status = self.app.errors.status_for(e)
        doc: dict[str, str] = {"message": e.message}
        if e.hint:
            doc["hint"] = e.hint
        resp = json_response(doc, status)
        if isinstance(e, MethodNotAllowed):
            resp.headers.append(("Allow", ", ".join(e.allowed)))
        return resp

    def _error_head(self, status: int, e: SandboxError, close: bool) -> bytes:
        headers = self.app.common_headers() + [("Content-Type", "application/json"),
                                               ("Content-Length", str(len(error_body(e.message))))]
        if close:
            headers.append(("Connection", "close"))
        return head_bytes(status, headers)

    async def _write(self, writer: Transport, head: RequestHead, resp: Response, keep: bool) -> None:
        headers = self.app.common_headers()
        if resp.content_type and allows_body(resp.status):
            headers.append(("Content-Type", resp.content_type))
        headers += resp.headers
        if allows_body(resp.status) and not any(k.lower() == "content-length" for k, _ in resp.headers):
            headers.append(("Content-Length", str(len(resp.body))))
        if not keep:
            headers.append(("Connection", "close"))
        elif head.http_version == "HTTP/1.0":
            headers.append(("Connection", "keep-alive"))
        data = head_bytes(resp.status, headers)
        if head.method != "HEAD" and allows_body(resp.status):
            data += resp.body
        writer.write(data)
        await writer.drain()

    async def _stream(self, reader: asyncio.StreamReader, writer: Transport, head: RequestHead,
                      resp: StreamResponse) -> None:
        chunked = head.http_version == "HTTP/1.1"
        headers = self.app.common_headers() + [("Content-Type", resp.content_type)] + resp.headers
        if chunked:
            headers.append(("Transfer-Encoding", "chunked"))
        # A streamed reply ends its connection: while it runs, the only thing the client
        # may send is its goodbye, which is how we notice a listener that went away.
        headers.append(("Connection", "close"))
        writer.write(head_bytes(resp.status, headers))
        await writer.drain()
        if head.method == "HEAD":
            await _aclose(resp.chunks)
            return
        pump = asyncio.create_task(self._pump(writer, resp, chunked))
        gone = asyncio.create_task(_until_disconnect(reader))
        try:
            await asyncio.wait({pump, gone}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (pump, gone):
                if not task.done():
                    task.cancel()
            await asyncio.gather(pump, gone, return_exceptions=True)
        if pump.done() and not pump.cancelled() and pump.exception() is not None:
            exc = pump.exception()
            if isinstance(exc, (ConnectionError, asyncio.CancelledError)):
                log.debug("stream %s %s: client went away", head.method, head.target)
            else:
                log.error("stream %s %s failed", head.method, head.target, exc_info=exc)

    @staticmethod
    async def _pump(writer: Transport, resp: StreamResponse, chunked: bool) -> None:
        try:
            async for data in resp.chunks:
                if data:
                    writer.write(chunk(data) if chunked else data)
                    await writer.drain()
            if chunked:
                writer.write(LAST_CHUNK)
                await writer.drain()
        finally:
            await _aclose(resp.chunks)

    async def _hijack(self, reader: asyncio.StreamReader, writer: Transport, head: RequestHead,
                      resp: HijackResponse) -> None:
        upgraded = head.header("Upgrade") is not None
        if upgraded:
            writer.write(UPGRADE_101.format(media=resp.media_type).encode())
            await writer.drain()
            # No stream byte may share a read with the 101: the docker SDK would lose it.
            await until_read(writer, self.hijack_read_timeout)
        else:
            # The rare client that does not ask to upgrade gets a 200 and the raw stream
            # until the connection closes.
            headers = self.app.common_headers() + [("Content-Type", resp.media_type), ("Connection", "close")]
            writer.write(head_bytes(200, headers))
            await writer.drain()
        try:
            await resp.handler(Hijacked(reader, writer, upgraded, resp.media_type))
        except (ConnectionError, asyncio.IncompleteReadError) as e:
            log.debug("hijacked %s: client went away: %s", head.target, e)
        except SandboxError as e:
            log.warning("hijacked %s: %s", head.target, e.message)
        except Exception:  # the boundary of a hijacked stream: log it, close the connection
            log.exception("hijacked %s failed", head.target)
        await self._linger(reader, writer)

    async def _linger(self, reader: asyncio.StreamReader, writer: Transport) -> None:
        """End a hijacked stream with a half-close, then read what the client still sends
        until it closes too. A unix socket closed with unread bytes in its receive queue makes
        the kernel report ECONNRESET to the peer instead of an end of file: a terminal's last
        keystrokes or a resize arriving as the container exits would turn `docker run -it`'s
        exit code into "connection reset by peer"."""
        if writer.is_closing():
            return
        try:
            if writer.can_write_eof():
                writer.write_eof()
            async with asyncio.timeout(self.linger_timeout):
                while await reader.read(65536):
                    pass
        except (ConnectionError, TimeoutError, asyncio.IncompleteReadError, OSError) as e:
            log.debug("hijacked stream ended without the client's close: %s", e)

    def _log_error(self, line: str, e: SandboxError, status: int) -> None:
        if status >= 500:
            log.error("%s -> %d %s", line, status, e.message, exc_info=e)
        else:
            log.warning("%s -> %d %s", line, status, e.message)

    # -- shutdown -----------------------------------------------------------------------------

    async def shutdown(self, grace: float = 5.0) -> None:
        """Stop accepting, let services end their streams, give busy requests ``grace``
        seconds, then cancel what is left."""
        self._closing = True
        if self._server is not None:
            self._server.close()
        for hook in self.app.on_shutdown:
            hook()
        for task, conn in list(self._connections.items()):
            if not conn.busy:
                task.cancel()
        pending = list(self._connections)
        if pending:
            _, still = await asyncio.wait(pending, timeout=grace)
            for task in still:
                task.cancel()
            await asyncio.gather(*still, return_exceptions=True)
        self._executor.shutdown(wait=False, cancel_futures=True)


def _is_async(handler: Handler) -> bool:
    """An ``async def`` handler, or an object whose ``__call__`` is one."""
    if inspect.iscoroutinefunction(handler):
        return True
    return not inspect.isroutine(handler) and inspect.iscoroutinefunction(type(handler).__call__)


def _as_response(result: Any) -> Response | StreamResponse | HijackResponse:
    if isinstance(result, (Response, StreamResponse, HijackResponse)):
        return result
    if result is None:
        return no_content()
    if isinstance(result, (dict, list)):
        return json_response(result)
    raise TypeError(f"a handler returned {type(result).__name__}; return a Response, a dict, a list or None")


def _body_consumed(head: RequestHead, body: BodyReader | None) -> bool:
    if body is None:
        return not head.has_body
    return body.done


async def _until_disconnect(reader: asyncio.StreamReader) -> None:
    while await reader.read(65536):
        pass


async def _aclose(chunks: Any) -> None:
    close = getattr(chunks, "aclose", None)
    if close is not None:
        await close()


def _ms(started: float) -> float:
    return (time.monotonic() - started) * 1000
