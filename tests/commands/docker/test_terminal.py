"""The terminal pieces without an engine: resize on SIGWINCH, raw mode restored."""

import fcntl
import os
import pty
import struct
import termios
import threading

from sandbox.commands.docker._terminal import RawMode, ResizeWatch, is_terminal, size
from tests.client.daemons import wait_for


def set_size(fd: int, rows: int, cols: int) -> None:
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


def test_size_and_terminal_detection() -> None:
    master, slave = pty.openpty()
    try:
        set_size(master, 30, 100)
        with os.fdopen(os.dup(slave), "w") as stream:
            assert is_terminal(stream)
            assert size(stream) == (30, 100)
        r, w = os.pipe()
        with os.fdopen(r) as pipe_end:
            assert not is_terminal(pipe_end) and size(pipe_end) is None
        os.close(w)
    finally:
        os.close(master)
        os.close(slave)


def test_resize_is_sent_at_start_and_on_sigwinch() -> None:
    assert threading.current_thread() is threading.main_thread()
    master, slave = pty.openpty()
    calls: list[tuple[int, int]] = []
    try:
        set_size(master, 24, 80)
        with os.fdopen(os.dup(slave), "w") as stream, ResizeWatch(stream, lambda h, w: calls.append((h, w))):
            assert calls == [(24, 80)]
            set_size(master, 40, 120)
            os.kill(os.getpid(), __import__("signal").SIGWINCH)
            wait_for(lambda: (40, 120) in calls, "the resize after SIGWINCH", timeout=10)
    finally:
        os.close(master)
        os.close(slave)


def test_raw_mode_is_restored() -> None:
    master, slave = pty.openpty()
    try:
        before = termios.tcgetattr(slave)
        with RawMode(slave):
            raw = termios.tcgetattr(slave)
            assert not raw[3] & termios.ECHO and not raw[3] & termios.ICANON
        assert termios.tcgetattr(slave) == before
    finally:
        os.close(master)
        os.close(slave)
