"""Between the engine's event loop and the blocking image libraries.

The libraries (build, pull, push, save) are plain blocking code that reports through a
callback or writes to a file. The routes need an async stream of what they report, and
they must be able to stop the work when the client goes away. ``callback_stream`` runs the
work in a daemon thread of its own and turns its callback into an async iterator;
``spool_body`` lands a streamed request body in a temporary file the work can read.

Why a thread per stream rather than the loop's executor: a build or a pull can take
minutes, and the default executor has only a few threads on a small machine.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
import threading
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Generic, TypeVar

from sandbox.engine.http import Request
from sandbox.errors import ClientGone, SandboxError

log = logging.getLogger("sandbox.engine.imaging")

T = TypeVar("T")

Work = Callable[[Callable[[T], None]], None]
"""``work(emit)``: blocking work that reports each item through ``emit``."""


@dataclass
class _Failed:
    error: SandboxError


_END = object()


@dataclass
class _Channel(Generic[T]):
    """The thread's side: ``emit`` posts to the loop, waits for room, and raises
    ``ClientGone`` once the consumer has left, which is how the work learns to stop."""

    loop: asyncio.AbstractEventLoop
    queue: asyncio.Queue[object]
    room: threading.Semaphore
    stop: threading.Event
    what: str

    def post(self, item: object) -> None:
        try:
            self.loop.call_soon_threadsafe(self.queue.put_nowait, item)
        except RuntimeError:  # the loop is closed: the engine is stopping
            self.stop.set()

    def emit(self, item: T) -> None:
        # Bounded: a slow client slows the work down instead of filling memory.
        self.room.acquire()
        if self.stop.is_set():
            raise ClientGone(self.what)
        self.post(item)


async def callback_stream(work: Work[T], what: str, window: int = 64) -> AsyncIterator[T]:
    """Run ``work(emit)`` in a daemon thread; yield what it emits. A ``SandboxError`` it
    raises is raised here after the items emitted before it; leaving the iteration early
    makes the thread's next ``emit`` raise ``ClientGone``."""
    loop = asyncio.get_running_loop()
    channel: _Channel[T] = _Channel(loop, asyncio.Queue(), threading.Semaphore(window), threading.Event(), what)

    def run() -> None:
        try:
            work(channel.emit)
        except ClientGone:
            log.info("%s: the client went away; stopped", what)
        except SandboxError as e:
            channel.post(_Failed(e))
        except Exception as e:
            log.exception("%s failed", what)
            channel.post(_Failed(SandboxError(f"{what}: internal error: {e}", "see the engine's log")))
        finally:
            channel.post(_END)

    threading.Thread(target=run, name=what, daemon=True).start()
    try:
        while True:
            item = await channel.queue.get()
            if item is _END:
                return
            if isinstance(item, _Failed):
                raise item.error
            channel.room.release()
            yield item  # type: ignore[misc]
    finally:
        channel.stop.set()
        channel.room.release()  # a thread waiting for room wakes up and sees ``stop``


class ChunkWriter:
    """A write-only binary file whose writes become the items of a ``callback_stream``
    (``save`` writes its tar into one). Small writes are gathered into larger chunks."""

    def __init__(self, emit: Callable[[bytes], None], chunk: int = 256 * 1024) -> None:
        self._emit = emit
        self._chunk = chunk
        self._buf = bytearray()
        self.closed = False

    def write(self, data: bytes) -> int:
        self._buf += data
        if len(self._buf) >= self._chunk:
            self.flush()
        return len(data)

    def flush(self) -> None:
        if self._buf:
            data, self._buf = bytes(self._buf), bytearray()
            self._emit(data)

    def writable(self) -> bool:
        return True

    def close(self) -> None:
        if not self.closed:
            self.flush()
            self.closed = True


async def spool_body(req: Request, directory: Path) -> IO[bytes]:
    """The whole streamed body in an anonymous temporary file under ``directory`` (the
    store's file system: a context or an archive may be gigabytes), rewound. The caller
    closes it."""
    directory.mkdir(parents=True, exist_ok=True)
    f = tempfile.TemporaryFile(dir=directory, prefix=".upload-")  # noqa: SIM115 - handed to the caller
    try:
        if req.stream is not None:
            async for chunk in req.chunks():
                await asyncio.to_thread(f.write, chunk)
        else:
            f.write(req.body)
        f.seek(0)
    except BaseException:
        f.close()
        raise
    return f


async def after_first(items: AsyncIterator[T], count: int) -> AsyncIterator[T]:
    """Wait for the first ``count`` items (or the end) before a reply is chosen, so that an
    error before them becomes the reply's own status instead of an event in a 200 stream.
    dockerd decides the same way: an error is sent as a status until output has been
    flushed (``docker pull`` of a missing repository answers 404, not a 200 stream)."""
    head: list[T] = []
    try:
        while len(head) < count:
            head.append(await anext(items))
    except StopAsyncIteration:
        pass
    except BaseException:
        await _aclose(items)
        raise
    return _chain(head, items)


async def _chain(head: list[T], items: AsyncIterator[T]) -> AsyncIterator[T]:
    try:
        for item in head:
            yield item
        async for item in items:
            yield item
    finally:
        await _aclose(items)


async def _aclose(items: AsyncIterator[T]) -> None:
    close = getattr(items, "aclose", None)
    if close is not None:
        await close()
