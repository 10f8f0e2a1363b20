"""What a route returns: a whole body, a stream, or a hijacked connection.

A handler may also return a ``dict`` or ``list`` (sent as JSON with 200) or ``None`` (204).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from sandbox.engine.http.frames import MULTIPLEXED, frame
from sandbox.errors import SandboxError

log = logging.getLogger("sandbox.engine.http")

T = TypeVar("T")

JSON = "application/json"
TEXT = "text/plain; charset=utf-8"


def dump_json(obj: Any) -> bytes:
    """Compact JSON with a trailing newline, as Go's json.Encoder writes it."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode() + b"\n"


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)


def json_response(obj: Any, status: int = 200, headers: list[tuple[str, str]] | None = None) -> Response:
    return Response(status, dump_json(obj), JSON, list(headers or []))


def text_response(text: str, status: int = 200, content_type: str = TEXT) -> Response:
    return Response(status, text.encode(), content_type)


def no_content(status: int = 204) -> Response:
    """204, or 304 (``stop`` of a stopped container): no body, no Content-Type."""
    return Response(status)


def error_body(message: str) -> bytes:
    return dump_json({"message": message})


@dataclass
class StreamResponse:
    """Headers go out at once, then each chunk as the iterator yields it.

    The immediate headers matter: ``docker run`` waits for the headers of ``/wait`` before
    it sends ``/start``, and the body only comes when the container exits."""

    chunks: AsyncIterator[bytes]
    status: int = 200
    content_type: str = JSON
    headers: list[tuple[str, str]] = field(default_factory=list)


def ndjson(items: AsyncIterable[Any], *, status: int = 200, errors_in_stream: bool = True) -> StreamResponse:
    """One JSON document per line. With ``errors_in_stream`` a ``SandboxError`` raised
    mid-stream is sent as Docker's progress error object and ends the stream."""

    async def lines() -> AsyncIterator[bytes]:
        try:
            async for item in items:
                yield item if isinstance(item, bytes) else dump_json(item)
        except SandboxError as e:
            if not errors_in_stream:
                raise
            log.warning("stream ended with an error: %s", e.message)
            yield dump_json(progress_error(e.message))
        finally:
            # Closing this stream (the client left) must end the source too: a bus
            # subscription behind it is released here, not whenever it is collected.
            close = getattr(items, "aclose", None)
            if close is not None:
                await close()

    return StreamResponse(lines(), status)


async def in_thread(items: Iterator[T]) -> AsyncIterator[T]:
    """A blocking iterator (a service generator reading the store) driven from the thread
    pool, one item at a time, so the event loop never waits on its I/O."""
    loop = asyncio.get_running_loop()
    done = object()
    while True:
        item = await loop.run_in_executor(None, next, items, done)
        if item is done:
            return
        yield item  # type: ignore[misc]


def progress_error(message: str) -> dict[str, Any]:
    """The error object of pull, push and build streams."""
    return {"errorDetail": {"message": message}, "error": message}


class Transport(Protocol):
    """The writing half of a connection: an ``asyncio.StreamWriter`` or the in-memory pipe."""

    def write(self, data: bytes) -> None: ...
    async def drain(self) -> None: ...
    def write_eof(self) -> None: ...
    def can_write_eof(self) -> bool: ...
    def close(self) -> None: ...
    def is_closing(self) -> bool: ...
    async def wait_closed(self) -> None: ...


@dataclass
class Hijacked:
    """The raw connection after the 101 (or the 200 for a client that did not ask to
    upgrade). The handler owns it; the server closes it when the handler returns."""

    reader: asyncio.StreamReader
    writer: Transport
    upgraded: bool
    media_type: str

    async def write(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()

    async def write_frame(self, stream: int, payload: bytes) -> None:
        """A multiplexed frame, or the bare bytes on a raw (TTY) stream."""
        await self.write(frame(stream, payload) if self.media_type == MULTIPLEXED else payload)

    def close_write(self) -> None:
        """Half-close: the client sees the end of output but may still send."""
        if self.writer.can_write_eof():
            self.writer.write_eof()


@dataclass
class HijackResponse:
    handler: Callable[[Hijacked], Awaitable[None]]
    media_type: str = MULTIPLEXED
    """MULTIPLEXED, or RAW_STREAM for a TTY."""
