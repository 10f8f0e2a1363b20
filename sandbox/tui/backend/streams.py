"""Live streams from the engine that a worker can be woken out of.

A thread blocked reading a socket does not notice the socket being closed by another
thread; ``shutdown(2)`` does wake it (the read returns end-of-file). ``LiveStream.close``
therefore shuts the connection down first, then closes it, so the TUI's event worker and
the trace collector end promptly when the app quits.
"""

from __future__ import annotations

import http.client
import os
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any, Protocol

from sandbox.errors import EngineUnavailable, SandboxError

from .types import TraceRecord


class _Stream(Protocol):
    def __iter__(self) -> Iterator[dict[str, Any]]: ...

    def close(self) -> None: ...

    def fileno(self) -> int: ...


def wake(stream: Any) -> None:
    """Shut the stream's socket down so a blocked reader returns."""
    try:
        fd = stream.fileno()
    except (AssertionError, AttributeError, OSError, ValueError):
        return  # already closed, or not a socket: nothing is blocked on it
    try:
        dup = socket.socket(fileno=os.dup(fd))
    except OSError:
        return
    try:
        dup.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # not connected any more: the reader has already returned
    finally:
        dup.close()


class LiveStream:
    """Wraps a client ``JSONStream``: iteration ends quietly once closed; a connection that
    breaks while open is ``EngineUnavailable``.

    ``close`` from another thread only wakes a reader blocked in the stream; the reader
    then closes it on its way out. http.client's responses are not thread-safe: closing one
    while another thread reads it can fail in either thread.
    """

    def __init__(self, stream: _Stream, address: str) -> None:
        self._stream = stream
        self._address = address
        self._lock = threading.Lock()
        self._reading = False
        self._released = False
        self.closed = False

    def __iter__(self) -> Iterator[dict[str, Any]]:
        with self._lock:
            self._reading = True
        try:
            yield from self._stream
        except SandboxError:
            if self.closed:
                return
            raise
        except (OSError, ValueError, http.client.HTTPException) as err:
            # shutdown(2) from ``close`` ends the read mid-chunk: http.client calls that an
            # IncompleteRead. Only a stream nobody closed is broken.
            if self.closed:
                return
            raise EngineUnavailable(self._address, f"the stream broke: {err!r}") from err
        finally:
            with self._lock:
                self._reading = False
                release = self.closed
            if release:
                self._release()
        if not self.closed:
            raise EngineUnavailable(self._address, "the engine closed the event stream")

    def close(self) -> None:
        with self._lock:
            if self.closed:
                return
            self.closed = True
            reading = self._reading
        wake(self._stream)
        if not reading:
            self._release()

    def _release(self) -> None:
        with self._lock:
            if self._released:
                return
            self._released = True
        try:
            self._stream.close()
        except OSError:
            pass  # the socket is gone either way


class TraceCollector:
    """Follows ``/sandbox/trace`` in a daemon thread and keeps the recent records, so the
    records a command caused can be cut out afterwards (``mark`` before, ``since`` after).

    A daemon thread rather than a Textual worker: it lives as long as the backend, and a
    blocked read in it must never keep the interpreter from exiting.
    """

    KEEP = 4096
    OPEN_TIMEOUT = 1.0
    """How long the first command waits for the subscription to be in place."""
    QUIET = 0.05
    """A command's records are in once none arrived for this long…"""
    SETTLE = 0.3
    """…or this long after the command ended, whichever is first."""

    def __init__(self, open_stream: Callable[[], _Stream], address: str) -> None:
        self._open = open_stream
        self._address = address
        self._records: deque[tuple[int, float, TraceRecord]] = deque(maxlen=self.KEEP)
        self._seq = 0
        self._last_arrival = 0.0
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stream: LiveStream | None = None
        self._stop = threading.Event()
        self._opened = threading.Event()
        self.error: str | None = None

    def start(self) -> None:
        """Subscribe (once; again after the stream broke) and wait until the engine has
        the subscription, so the records of the command about to run are not missed."""
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self._opened.clear()
            self._thread = threading.Thread(target=self._follow, name="sandbox-trace", daemon=True)
            self._thread.start()
        self._opened.wait(self.OPEN_TIMEOUT)

    def _follow(self) -> None:
        try:
            stream = LiveStream(self._open(), self._address)
        except SandboxError as err:
            self.error = err.render()
            self._opened.set()
            return
        with self._lock:
            self._stream = stream
        self._opened.set()
        try:
            for doc in stream:
                with self._lock:
                    self._seq += 1
                    self._last_arrival = time.monotonic()
                    self._records.append((self._seq, self._last_arrival, TraceRecord.from_json(doc)))
        except SandboxError as err:
            self.error = err.render()

    def mark(self) -> int:
        self.start()
        with self._lock:
            return self._seq

    def since(self, mark: int) -> tuple[TraceRecord, ...]:
        """Records after ``mark``, once the stream has been quiet for ``QUIET`` since the
        command ended (records still in flight arrive meanwhile), at most ``SETTLE``."""
        ended = time.monotonic()
        deadline = ended + self.SETTLE
        while time.monotonic() < deadline:
            now = time.monotonic()
            with self._lock:
                last = max(self._last_arrival, ended)
            if now - last >= self.QUIET or self._stream is None:
                break
            time.sleep(self.QUIET / 4)
        with self._lock:
            return tuple(rec for seq, _, rec in self._records if seq > mark)

    def close(self) -> None:
        self._stop.set()
        with self._lock:
            stream = self._stream
        if stream is not None:
            stream.close()
