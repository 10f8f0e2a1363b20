"""Docker's stream multiplexing: an 8-byte header before each payload.

    [stream, 0, 0, 0, size (uint32, big-endian)] + payload      stream 0 stdin, 1 stdout, 2 stderr

Used by attach, exec and logs when the container has no TTY; with a TTY the bytes go raw.
"""

from __future__ import annotations

import asyncio
import struct
from collections.abc import Iterator

STDIN, STDOUT, STDERR, SYSTEMERR = 0, 1, 2, 3
HEADER_SIZE = 8
_HEADER = struct.Struct(">BxxxI")

MULTIPLEXED = "application/vnd.docker.multiplexed-stream"
RAW_STREAM = "application/vnd.docker.raw-stream"


def frame(stream: int, payload: bytes) -> bytes:
    """One frame; ``stream`` is STDOUT, STDERR (or STDIN/SYSTEMERR)."""
    if stream not in (STDIN, STDOUT, STDERR, SYSTEMERR):
        raise ValueError(f"stream must be 0..3, not {stream}")
    return _HEADER.pack(stream, len(payload)) + payload


def parse_header(header: bytes) -> tuple[int, int]:
    """``(stream, size)`` of an 8-byte frame header."""
    if len(header) != HEADER_SIZE:
        raise ValueError(f"a frame header is {HEADER_SIZE} bytes, not {len(header)}")
    stream, size = _HEADER.unpack(header)
    return stream, size


def split_frames(data: bytes) -> Iterator[tuple[int, bytes]]:
    """Every complete frame in ``data`` (a whole logs body, a test's capture)."""
    pos = 0
    while pos + HEADER_SIZE <= len(data):
        stream, size = parse_header(data[pos:pos + HEADER_SIZE])
        end = pos + HEADER_SIZE + size
        if end > len(data):
            raise ValueError(f"truncated frame: {size} bytes announced, {len(data) - pos - HEADER_SIZE} left")
        yield stream, data[pos + HEADER_SIZE:end]
        pos = end
    if pos != len(data):
        raise ValueError(f"{len(data) - pos} trailing bytes are not a whole frame header")


async def read_frame(reader: asyncio.StreamReader) -> tuple[int, bytes] | None:
    """The next frame from a stream, or None at a clean end between frames."""
    try:
        header = await reader.readexactly(HEADER_SIZE)
    except asyncio.IncompleteReadError as e:
        if not e.partial:
            return None
        raise
    stream, size = parse_header(header)
    return stream, await reader.readexactly(size)
