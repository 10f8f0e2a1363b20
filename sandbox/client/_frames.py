"""Docker's stream multiplexing: ``[stream, 0, 0, 0, uint32 big-endian size] + payload``.

Non-TTY attach, exec and logs carry stdout and stderr over one connection this way; with a
TTY there is only one stream and no framing at all.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator
from enum import IntEnum

from sandbox.errors import EngineProtocolError

HEADER_SIZE = 8
_HEADER = struct.Struct(">BxxxL")


class Stream(IntEnum):
    STDIN = 0
    STDOUT = 1
    STDERR = 2
    SYSTEMERR = 3
    """The daemon's own error about the stream (API 1.42+), not the process's output."""


def encode_frame(stream: Stream | int, payload: bytes) -> bytes:
    return _HEADER.pack(int(stream), len(payload)) + payload


def _stream_of(kind: int) -> Stream:
    try:
        return Stream(kind)
    except ValueError:
        raise EngineProtocolError("multiplexed stream", f"unknown stream id {kind} in a frame header") from None


class FrameDecoder:
    """Incremental demultiplexer for select()-driven relays: feed bytes, get whole frames."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[tuple[Stream, bytes]]:
        self._buffer += data
        frames: list[tuple[Stream, bytes]] = []
        while len(self._buffer) >= HEADER_SIZE:
            kind, size = _HEADER.unpack_from(self._buffer)
            if len(self._buffer) < HEADER_SIZE + size:
                break
            frames.append((_stream_of(kind), bytes(self._buffer[HEADER_SIZE:HEADER_SIZE + size])))
            del self._buffer[:HEADER_SIZE + size]
        return frames

    @property
    def pending(self) -> int:
        """Bytes of an unfinished frame; non-zero at the end of a stream means it was cut."""
        return len(self._buffer)


def iter_frames(read: Callable[[int], bytes]) -> Iterator[tuple[Stream, bytes]]:
    """Frames from a blocking ``read(n)`` that returns fewer bytes only at the end."""
    while True:
        header = _read_exact(read, HEADER_SIZE)
        if not header:
            return
        if len(header) < HEADER_SIZE:
            raise EngineProtocolError("multiplexed stream", "the stream ended inside a frame header")
        kind, size = _HEADER.unpack(header)
        payload = _read_exact(read, size) if size else b""
        if len(payload) < size:
            raise EngineProtocolError("multiplexed stream", f"the stream ended inside a {size}-byte frame")
        yield _stream_of(kind), payload


def _read_exact(read: Callable[[int], bytes], size: int) -> bytes:
    chunks: list[bytes] = []
    remaining = size
    while remaining:
        chunk = read(remaining)
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)
