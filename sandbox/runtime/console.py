"""Relay between the caller's terminal and a container's pty (``runtime run`` with a terminal)."""

from __future__ import annotations

import fcntl
import os
import select
import signal
import struct
import sys
import termios
import tty


def terminal_size(fd: int = 1) -> tuple[int, int]:
    try:
        rows, cols, _, _ = struct.unpack("HHHH", fcntl.ioctl(fd, termios.TIOCGWINSZ, b"\0" * 8))
        return rows or 24, cols or 80
    except OSError:
        return 24, 80


def relay(master: int, shim_alive: "callable[[], bool]") -> None:  # type: ignore[valid-type]
    """Copy stdin to the pty and the pty to stdout until the container side closes."""
    stdin, stdout = sys.stdin.fileno(), sys.stdout.fileno()
    is_tty = os.isatty(stdin)
    saved = termios.tcgetattr(stdin) if is_tty else None

    def resize(*_: object) -> None:
        rows, cols = terminal_size(stdout)
        fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))

    old_winch = signal.signal(signal.SIGWINCH, resize) if is_tty else None
    try:
        if is_tty:
            # Raw mode: keys (^C included) go to the container's terminal, which turns them
            # into signals for its own foreground process group.
            tty.setraw(stdin)
        watch = [master, stdin]
        while True:
            try:
                ready, _, _ = select.select(watch, [], [], 0.2)
            except InterruptedError:
                continue
            if master in ready:
                try:
                    data = os.read(master, 65536)
                except OSError:  # EIO: every slave end closed, the container is gone
                    break
                if not data:
                    break
                os.write(stdout, data)
            if stdin in ready:
                data = os.read(stdin, 65536)
                if data:
                    os.write(master, data)
                else:
                    watch = [master]
            if not ready and not shim_alive():
                break
    finally:
        if saved is not None:
            termios.tcsetattr(stdin, termios.TCSADRAIN, saved)
        if old_winch is not None:
            signal.signal(signal.SIGWINCH, old_winch)
