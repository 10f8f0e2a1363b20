"""The container streams' plumbing, without root: deframing, blocking generators driven
from a thread, and non-blocking descriptors (a pty's end reads as EOF)."""

from __future__ import annotations

import asyncio
import os
import pty
import threading
from collections.abc import Iterator

import pytest

from sandbox.engine.api.streamio import Deframer, from_thread, read_fd, write_fd
from sandbox.engine.http import STDERR, STDOUT, frame
from sandbox.errors import InvalidParameter


def test_deframer_joins_frames_split_anywhere() -> None:
    data = frame(STDOUT, b"hello\n") + frame(STDERR, b"") + frame(STDERR, b"oops")
    for cut in range(len(data) + 1):
        d = Deframer()
        got = d.feed(data[:cut]) + d.feed(data[cut:])
        assert got == [(STDOUT, b"hello\n"), (STDERR, b""), (STDERR, b"oops")], cut
        assert d.pending == 0


def test_deframer_keeps_an_unfinished_frame() -> None:
    d = Deframer()
    assert d.feed(frame(STDOUT, b"abcdef")[:-2]) == []
    assert d.pending == 12


async def _collect(items: Iterator[int], limit: int | None = None) -> list[int]:
    out: list[int] = []
    gen = from_thread(items, "test")
    try:
        async for item in gen:
            out.append(item)
            if limit is not None and len(out) == limit:
                break
    finally:
        await gen.aclose()
    return out


def test_from_thread_yields_in_order() -> None:
    assert asyncio.run(_collect(iter(range(100)))) == list(range(100))


def test_from_thread_stops_and_closes_the_generator_when_left_early() -> None:
    closed = threading.Event()
    produced: list[int] = []

    def endless() -> Iterator[int]:
        try:
            n = 0
            while True:
                produced.append(n)
                yield n
                n += 1
        finally:
            closed.set()

    assert asyncio.run(_collect(endless(), limit=3)) == [0, 1, 2]
    assert closed.wait(10)  # closed by its own thread, soon after the consumer left
    assert len(produced) <= 3 + 16 + 1  # never more than the window ahead


def test_from_thread_raises_the_generators_error_in_the_stream() -> None:
    def failing() -> Iterator[int]:
        yield 1
        raise InvalidParameter("bad tail", "tail")

    with pytest.raises(InvalidParameter, match="bad tail"):
        asyncio.run(_collect(failing()))


def test_read_fd_returns_the_end_of_a_pty_as_empty() -> None:
    master, slave = pty.openpty()
    os.set_blocking(master, False)

    async def go() -> bytes:
        os.write(slave, b"ping\n")
        got = await read_fd(master)
        os.close(slave)  # every slave closed: the master now fails with EIO
        assert await read_fd(master) == b""
        return got

    try:
        assert asyncio.run(go()).replace(b"\r", b"") == b"ping\n"
    finally:
        os.close(master)


def test_read_fd_waits_for_data_and_write_fd_writes_it_all() -> None:
    r, w = os.pipe()
    os.set_blocking(r, False)
    os.set_blocking(w, False)
    big = b"x" * (1 << 20)  # more than a pipe holds: write_fd must wait for room

    async def go() -> bytes:
        writer = asyncio.create_task(write_fd(w, big))
        got = b""
        while len(got) < len(big):
            got += await read_fd(r)
        await writer
        return got

    try:
        assert asyncio.run(go()) == big
    finally:
        os.close(r)
        os.close(w)
