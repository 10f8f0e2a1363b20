"""Async plumbing for the container streams: descriptors read and written from the event
loop, blocking service generators driven by a thread, and the shim's frames taken apart.

Why not the loop's default executor for the blocking generators: following logs or stats
blocks for as long as the container runs, and that executor has a handful of threads on a
small machine; a few followers would stall every other ``to_thread`` call. A daemon thread
per stream also never holds up the engine's exit, whatever the generator is waiting for.
"""

from __future__ import annotations

import asyncio
import errno
import os
import struct
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO, TypeVar

T = TypeVar("T")

CHUNK = 65536
_HEADER = struct.Struct(">BxxxI")


async def _ready(fd: int, writing: bool) -> None:
    """Wait until ``fd`` can be read (or written) without blocking."""
    loop = asyncio.get_running_loop()
    fut: asyncio.Future[None] = loop.create_future()

    def wake() -> None:
        if not fut.done():
            fut.set_result(None)

    (loop.add_writer if writing else loop.add_reader)(fd, wake)
    try:
        await fut
    finally:
        (loop.remove_writer if writing else loop.remove_reader)(fd)


async def read_fd(fd: int, size: int = CHUNK) -> bytes:
    """The next bytes of a non-blocking pipe or pty master; ``b""`` at the end. A pty
    master reports the end (every slave closed) as EIO rather than EOF."""
    while True:
        try:
            return os.read(fd, size)
        except BlockingIOError:
            await _ready(fd, writing=False)
        except OSError as e:
            if e.errno == errno.EIO:
                return b""
            raise


async def write_fd(fd: int, data: bytes) -> None:
    """All of ``data`` into a non-blocking descriptor (a pty master)."""
    view = memoryview(data)
    while view:
        try:
            n = os.write(fd, view)
        except BlockingIOError:
            await _ready(fd, writing=True)
            continue
        view = view[n:]


async def file_chunks(f: BinaryIO, size: int = 256 * 1024) -> AsyncIterator[bytes]:
    """A (temporary) file's bytes as a reply body, read off the loop; closed at the end."""
    try:
        while data := await asyncio.to_thread(f.read, size):
            yield data
    finally:
        f.close()


@dataclass
class _Failed:
    error: BaseException


_END = object()


async def from_thread(items: Iterator[T], name: str, window: int = 16) -> AsyncIterator[T]:
    """Iterate a blocking iterator in a daemon thread of its own, at most ``window`` items
    ahead of the consumer. Leaving early stops the thread at its next item and closes the
    iterator there (a generator must be closed by the thread that runs it)."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[object] = asyncio.Queue()
    room = threading.Semaphore(window)
    stop = threading.Event()

    def post(item: object) -> None:
        try:
            loop.call_soon_threadsafe(queue.put_nowait, item)
        except RuntimeError:  # the loop is closed: the engine is stopping
            stop.set()

    def run() -> None:
        try:
            for item in items:
                room.acquire()
                if stop.is_set():
                    break
                post(item)
        except Exception as e:  # noqa: BLE001 - handed to the consumer, which raises it in the stream
            post(_Failed(e))
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()
            post(_END)

    threading.Thread(target=run, name=name, daemon=True).start()
    try:
        while True:
            item = await queue.get()
            if item is _END:
                return
            if isinstance(item, _Failed):
                raise item.error
            room.release()
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        room.release()  # a thread waiting for room wakes up and sees ``stop``


@dataclass
class Deframer:
    """Docker frames (``[stream, 0, 0, 0, size]`` + payload) from a byte stream that
    arrives in arbitrary pieces."""

    _buf: bytearray = field(default_factory=bytearray)

    def feed(self, data: bytes) -> list[tuple[int, bytes]]:
        self._buf += data
        out: list[tuple[int, bytes]] = []
        while len(self._buf) >= _HEADER.size:
            stream, size = _HEADER.unpack_from(self._buf)
            end = _HEADER.size + size
            if len(self._buf) < end:
                break
            out.append((stream, bytes(self._buf[_HEADER.size:end])))
            del self._buf[:end]
        return out

    @property
    def pending(self) -> int:
        """Bytes of an unfinished frame (non-zero at the end means a truncated stream)."""
        return len(self._buf)
