"""Reading HTTP/1.1 requests off a stream: the head, then a Content-Length or chunked body.

Every way a request can be wrong becomes an ``HttpProtocolError`` carrying the status to
reply with, so the server answers garbage with a clean 4xx and goes on serving others.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass

from sandbox.errors import HttpProtocolError

# RFC 9110 tokens: what a method and a header name may be made of.
_TOKEN = re.compile(rb"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
_VERSION = re.compile(rb"^HTTP/([0-9])\.([0-9])$")
_CHUNK_SIZE = re.compile(rb"^([0-9A-Fa-f]{1,16})(?:;.*)?$")


@dataclass(frozen=True)
class Limits:
    max_header_bytes: int = 64 * 1024
    """Request line plus header fields; more gets 431."""
    max_headers: int = 100
    max_body: int = 64 * 1024 * 1024
    """For routes that read the whole body (JSON); more gets 413."""
    max_stream_body: int = 16 * 1024 * 1024 * 1024
    """For routes that stream their body (build contexts, archives)."""
    max_chunk_line: int = 4096

    @property
    def reader_limit(self) -> int:
        """The StreamReader buffer limit: one header line may be as long as the whole head."""
        return self.max_header_bytes + 1024


@dataclass
class RequestHead:
    method: str
    target: str
    http_version: str
    headers: list[tuple[str, str]]

    def header(self, name: str) -> str | None:
        lower = name.lower()
        for k, v in self.headers:
            if k.lower() == lower:
                return v
        return None

    @property
    def keep_alive(self) -> bool:
        tokens = {t.strip().lower() for t in (self.header("Connection") or "").split(",")}
        if self.http_version == "HTTP/1.0":
            return "keep-alive" in tokens
        return "close" not in tokens

    @property
    def chunked(self) -> bool:
        return self.header("Transfer-Encoding") is not None

    def content_length(self) -> int:
        values = {k_v[1].strip() for k_v in self.headers if k_v[0].lower() == "content-length"}
        if not values:
            return 0
        if len(values) > 1:
            raise HttpProtocolError(400, "conflicting Content-Length headers")
        value = values.pop()
        if not value.isdigit():
            raise HttpProtocolError(400, f"bad Content-Length {value!r}")
        return int(value)

    @property
    def has_body(self) -> bool:
        return self.chunked or self.content_length() > 0


async def _line(reader: asyncio.StreamReader, budget: int) -> bytes:
    """One line without its CRLF (a bare LF is accepted, as Go's server does)."""
    try:
        raw = await reader.readuntil(b"\n")
    except asyncio.LimitOverrunError:
        raise HttpProtocolError(431, "request header fields too large") from None
    if len(raw) > budget:
        raise HttpProtocolError(431, "request header fields too large")
    return raw[:-1].removesuffix(b"\r")


async def read_head(reader: asyncio.StreamReader, limits: Limits) -> RequestHead | None:
    """The next request's head, or None when the client closed between requests."""
    budget = limits.max_header_bytes
    try:
        line = await _line(reader, budget)
        # RFC 9112 2.2: ignore empty lines before a request line (left over from a body).
        while line == b"":
            line = await _line(reader, budget)
    except asyncio.IncompleteReadError as e:
        if not e.partial.strip():
            return None
        raise HttpProtocolError(400, "the connection ended inside the request line") from None
    budget -= len(line)
    method, target, version = _request_line(line)
    headers: list[tuple[str, str]] = []
    while True:
        try:
            line = await _line(reader, budget)
        except asyncio.IncompleteReadError:
            raise HttpProtocolError(400, "the connection ended inside the request headers") from None
        budget -= len(line) + 2
        if budget < 0:
            raise HttpProtocolError(431, "request header fields too large")
        if not line:
            break
        headers.append(_header(line))
        if len(headers) > limits.max_headers:
            raise HttpProtocolError(431, f"more than {limits.max_headers} header fields")
    head = RequestHead(method, target, version, headers)
    _check_framing(head)
    return head


def _request_line(line: bytes) -> tuple[str, str, str]:
    parts = line.split(b" ")
    if len(parts) != 3 or not all(parts):
        raise HttpProtocolError(400, "malformed request line", "expected: METHOD /path HTTP/1.1")
    method, target, version = parts
    if not _TOKEN.match(method):
        raise HttpProtocolError(400, "malformed method in the request line")
    m = _VERSION.match(version)
    if m is None:
        raise HttpProtocolError(400, "malformed HTTP version in the request line")
    if m.group(1) != b"1":
        raise HttpProtocolError(505, f"HTTP version {version.decode()} is not supported", "speak HTTP/1.1")
    if any(c < 0x21 or c == 0x7F for c in target):
        raise HttpProtocolError(400, "control characters in the request target")
    text = target.decode("ascii", errors="replace")
    if not text.startswith("/"):
        # The absolute form (``http://host/path``) is allowed by RFC 9112; keep its path.
        scheme, sep, rest = text.partition("://")
        if not sep or not scheme.isalpha():
            raise HttpProtocolError(400, f"bad request target {text[:80]!r}", "the target must start with /")
        slash = rest.find("/")
        text = rest[slash:] if slash >= 0 else "/"
    return method.decode("ascii"), text, version.decode("ascii")


def _header(line: bytes) -> tuple[str, str]:
    if line[:1] in (b" ", b"\t"):
        raise HttpProtocolError(400, "folded header lines are not allowed")
    name, sep, value = line.partition(b":")
    if not sep or not _TOKEN.match(name):
        raise HttpProtocolError(400, f"malformed header line {line[:60]!r}")
    if any((c < 0x20 and c != 0x09) or c == 0x7F for c in value):
        raise HttpProtocolError(400, f"control characters in header {name.decode()}")
    return name.decode("ascii"), value.strip(b" \t").decode("latin-1")


def _check_framing(head: RequestHead) -> None:
    te = head.header("Transfer-Encoding")
    if te is not None:
        if te.strip().lower() != "chunked":
            raise HttpProtocolError(501, f"Transfer-Encoding {te!r} is not supported", "use chunked")
        if head.header("Content-Length") is not None:
            # Both at once is how request smuggling starts; nobody honest sends it.
            raise HttpProtocolError(400, "both Transfer-Encoding and Content-Length were sent")
    head.content_length()  # validates


class BodyReader:
    """A request body as it arrives, Content-Length or chunked, never more than ``cap``."""

    def __init__(self, reader: asyncio.StreamReader, head: RequestHead, cap: int, limits: Limits) -> None:
        self._reader = reader
        self._chunked = head.chunked
        self._remaining = 0 if self._chunked else head.content_length()
        self._cap = cap
        self._limits = limits
        self._read = 0
        self.done = not self._chunked and self._remaining == 0
        if not self._chunked and self._remaining > cap:
            raise HttpProtocolError(413, f"request body of {self._remaining} bytes is over the limit of {cap}",
                                    "send a smaller body")

    def _count(self, n: int) -> None:
        self._read += n
        if self._read > self._cap:
            raise HttpProtocolError(413, f"request body is over the limit of {self._cap} bytes",
                                    "send a smaller body")

    async def chunks(self) -> AsyncIterator[bytes]:
        while not self.done:
            data = await self._next()
            if data:
                yield data

    async def _next(self) -> bytes:
        try:
            if not self._chunked:
                data = await self._reader.read(min(self._remaining, 256 * 1024))
                if not data:
                    raise HttpProtocolError(400, f"the body ended {self._remaining} bytes early")
                self._remaining -= len(data)
                self.done = self._remaining == 0
                self._count(len(data))
                return data
            return await self._next_chunk()
        except asyncio.IncompleteReadError:
            raise HttpProtocolError(400, "the connection ended inside the chunked body") from None
        except asyncio.LimitOverrunError:
            raise HttpProtocolError(400, "a chunk size line is too long") from None

    async def _next_chunk(self) -> bytes:
        line = await self._reader.readuntil(b"\n")
        if len(line) > self._limits.max_chunk_line:
            raise HttpProtocolError(400, "a chunk size line is too long")
        m = _CHUNK_SIZE.match(line.rstrip(b"\r\n").strip(b" \t"))
        if m is None:
            raise HttpProtocolError(400, f"bad chunk size line {line[:40]!r}")
        size = int(m.group(1), 16)
        if size == 0:
            await self._trailers()
            self.done = True
            return b""
        self._count(size)
        data = await self._reader.readexactly(size)
        if await self._reader.readuntil(b"\n") not in (b"\r\n", b"\n"):
            raise HttpProtocolError(400, "a chunk is longer than its size line says")
        return data

    async def _trailers(self) -> None:
        budget = self._limits.max_header_bytes
        while True:
            line = await self._reader.readuntil(b"\n")
            budget -= len(line)
            if budget < 0:
                raise HttpProtocolError(431, "chunked trailers too large")
            if line in (b"\r\n", b"\n"):
                return

    async def read_all(self) -> bytes:
        parts = [c async for c in self.chunks()]
        return b"".join(parts)
