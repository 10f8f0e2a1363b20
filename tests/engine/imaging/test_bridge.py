"""The thread-to-stream bridge: items in order, errors after them, a leaving client stops the work."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable

import pytest

from sandbox.engine.imaging.bridge import ChunkWriter, after_first, callback_stream
from sandbox.errors import ClientGone, SandboxError


def collect(work: Callable[[Callable[[int], None]], None], limit: int | None = None) -> list[int]:
    async def go() -> list[int]:
        out: list[int] = []
        stream = callback_stream(work, "test")
        try:
            async for item in stream:
                out.append(item)
                if limit is not None and len(out) >= limit:
                    break
        finally:
            await stream.aclose()
        return out

    return asyncio.run(go())


def test_items_arrive_in_order() -> None:
    def work(emit: Callable[[int], None]) -> None:
        for i in range(200):  # more than the window: the thread waits for room
            emit(i)

    assert collect(work) == list(range(200))


def test_an_error_comes_after_the_items_before_it() -> None:
    seen: list[int] = []

    def work(emit: Callable[[int], None]) -> None:
        emit(1)
        raise SandboxError("broken", "hint")

    with pytest.raises(SandboxError, match="broken"):
        asyncio.run(_consume(work, seen))
    assert seen == [1]


async def _consume(work: Callable[[Callable[[int], None]], None], seen: list[int]) -> None:
    async for item in callback_stream(work, "test"):
        seen.append(item)


def test_an_unexpected_exception_becomes_an_internal_error() -> None:
    def work(emit: Callable[[int], None]) -> None:
        raise KeyError("bug")

    with pytest.raises(SandboxError, match="internal error"):
        collect(work)


def test_a_client_that_leaves_stops_the_work() -> None:
    stopped = threading.Event()

    def work(emit: Callable[[int], None]) -> None:
        try:
            i = 0
            while True:
                emit(i)
                i += 1
        except ClientGone:
            stopped.set()
            raise

    assert collect(work, limit=3) == [0, 1, 2]
    assert stopped.wait(10), "the work kept running after its client left"


def test_after_first_turns_an_early_error_into_the_callers_exception() -> None:
    def failing(emit: Callable[[int], None]) -> None:
        emit(1)
        raise SandboxError("no such repository")

    async def go() -> None:
        await after_first(callback_stream(failing, "test"), 2)

    with pytest.raises(SandboxError, match="no such repository"):
        asyncio.run(go())


def test_after_first_keeps_every_item() -> None:
    def work(emit: Callable[[int], None]) -> None:
        for i in range(5):
            emit(i)

    async def go() -> list[int]:
        return [i async for i in await after_first(callback_stream(work, "test"), 2)]

    assert asyncio.run(go()) == [0, 1, 2, 3, 4]


def test_chunk_writer_gathers_small_writes() -> None:
    chunks: list[bytes] = []
    out = ChunkWriter(chunks.append, chunk=10)
    for _ in range(7):
        out.write(b"abc")
    out.close()
    assert chunks == [b"abcabcabcabc", b"abcabcabc"] and out.closed
