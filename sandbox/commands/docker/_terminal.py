"""The local terminal for ``-it``: raw mode while attached, its size, and SIGWINCH.

Raw mode hands every key to the container's pty (Ctrl-C becomes byte 0x03 and the
container's own line discipline turns it into SIGINT); ``restore`` puts the terminal back
whatever happens, or the user's shell is left without echo.
"""

from __future__ import annotations

import os
import signal
import termios
import threading
import tty
from collections.abc import Callable
from typing import TextIO


def fileno(stream: object) -> int | None:
    getter = getattr(stream, "fileno", None)
    if getter is None:
        return None
    try:
        return int(getter())
    except (OSError, ValueError):
        # io.StringIO and friends have no descriptor.
        return None


def is_terminal(stream: object) -> bool:
    fd = fileno(stream)
    return fd is not None and os.isatty(fd)


def size(stream: TextIO) -> tuple[int, int] | None:
    """(height, width) of the terminal behind ``stream``, or None."""
    fd = fileno(stream)
    if fd is None or not os.isatty(fd):
        return None
    try:
        cols, rows = os.get_terminal_size(fd)
    except OSError:
        return None
    return rows, cols


class RawMode:
    """``with RawMode(fd):`` — the terminal in raw mode inside, restored after."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self._saved: list | None = None  # type: ignore[type-arg]

    def __enter__(self) -> "RawMode":
        self._saved = termios.tcgetattr(self.fd)
        tty.setraw(self.fd, termios.TCSANOW)
        return self

    def restore(self) -> None:
        if self._saved is not None:
            termios.tcsetattr(self.fd, termios.TCSADRAIN, self._saved)
            self._saved = None

    def __exit__(self, *exc: object) -> None:
        self.restore()


class ResizeWatch:
    """Calls ``on_resize(height, width)`` now and on every SIGWINCH, from a thread so the
    HTTP request never runs inside a signal handler. Needs the main thread; elsewhere
    (a REPL worker) it only sends the initial size."""

    def __init__(self, stream: TextIO, on_resize: Callable[[int, int], None]) -> None:
        self.stream = stream
        self.on_resize = on_resize
        self._event = threading.Event()
        self._stop = False
        self._previous: object = None
        self._thread: threading.Thread | None = None

    def _send(self) -> None:
        dims = size(self.stream)
        if dims is not None:
            self.on_resize(*dims)

    def __enter__(self) -> "ResizeWatch":
        self._send()
        if threading.current_thread() is not threading.main_thread():
            return self
        self._previous = signal.signal(signal.SIGWINCH, lambda *_: self._event.set())
        self._thread = threading.Thread(target=self._loop, name="resize", daemon=True)
        self._thread.start()
        return self

    def _loop(self) -> None:
        while True:
            self._event.wait()
            self._event.clear()
            if self._stop:
                return
            self._send()

    def __exit__(self, *exc: object) -> None:
        if self._thread is None:
            return
        self._stop = True
        self._event.set()
        signal.signal(signal.SIGWINCH, self._previous if self._previous is not None else signal.SIG_DFL)
        self._thread.join(timeout=2)
