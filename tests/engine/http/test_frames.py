"""Docker's 8-byte stream frame header."""

from __future__ import annotations

import asyncio

import pytest

from sandbox.engine.http.frames import STDERR, STDOUT, frame, parse_header, read_frame, split_frames


def test_frame_layout() -> None:
    assert frame(STDOUT, b"hi\n") == b"\x01\x00\x00\x00\x00\x00\x00\x03hi\n"
    assert frame(STDERR, b"x" * 300)[:8] == b"\x02\x00\x00\x00\x00\x00\x01\x2c"
    assert parse_header(b"\x02\x00\x00\x00\x00\x00\x01\x00") == (2, 256)
    with pytest.raises(ValueError):
        frame(7, b"")
    with pytest.raises(ValueError):
        parse_header(b"\x01\x00")


def test_split_frames() -> None:
    data = frame(STDOUT, b"out") + frame(STDERR, b"err") + frame(STDOUT, b"")
    assert list(split_frames(data)) == [(1, b"out"), (2, b"err"), (1, b"")]
    with pytest.raises(ValueError, match="truncated"):
        list(split_frames(frame(STDOUT, b"hello")[:-1]))
    with pytest.raises(ValueError, match="trailing"):
        list(split_frames(frame(STDOUT, b"a") + b"\x01"))


def test_read_frame_from_a_stream() -> None:
    async def go() -> list[tuple[int, bytes] | None]:
        reader = asyncio.StreamReader()
        reader.feed_data(frame(STDOUT, b"a") + frame(STDERR, b"bc"))
        reader.feed_eof()
        return [await read_frame(reader) for _ in range(3)]

    assert asyncio.run(go()) == [(1, b"a"), (2, b"bc"), None]
