"""Copying between the local streams and a hijacked attach/exec socket.

Output always runs until the engine closes the stream (the process ended or detached).
Input: with a terminal and ``-t`` a select() loop in raw mode; otherwise a thread copies
stdin and then half-closes the socket so the process sees EOF — what makes
``echo hi | docker run -i busybox cat`` end.
"""

from __future__ import annotations

import os
import select
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

from sandbox.client import FrameDecoder, HijackedStream, Stream

from ._context import Context
from ._terminal import RawMode, fileno, is_terminal

DEFAULT_DETACH_KEYS = b"\x10\x11"  # ctrl-p ctrl-q


def parse_detach_keys(spec: str | None) -> bytes:
    """``ctrl-p,ctrl-q`` → bytes; docker's syntax: ``a``-``z``, ``ctrl-@``…``ctrl-_``."""
    if not spec:
        return DEFAULT_DETACH_KEYS
    out = bytearray()
    for part in spec.split(","):
        part = part.strip()
        if part.startswith("ctrl-") and len(part) == 6:
            ch = part[5].lower()
            if "a" <= ch <= "z":
                out.append(ord(ch) - ord("a") + 1)
            elif ch in "@[\\]^_":
                out.append({"@": 0, "[": 27, "\\": 28, "]": 29, "^": 30, "_": 31}[ch])
            else:
                return DEFAULT_DETACH_KEYS
        elif len(part) == 1:
            out.append(ord(part))
        else:
            return DEFAULT_DETACH_KEYS
    return bytes(out)


class EscapeWatcher:
    """Finds the detach sequence in typed input, holding back a partial match."""

    def __init__(self, keys: bytes) -> None:
        self.keys = keys
        self.pending = b""

    def feed(self, data: bytes) -> tuple[bytes, bool]:
        """(bytes to send on, whether the full sequence was typed)."""
        out = bytearray()
        for byte in data:
            candidate = self.pending + bytes([byte])
            if self.keys.startswith(candidate):
                self.pending = candidate
                if candidate == self.keys:
                    self.pending = b""
                    return bytes(out), True
            else:
                out += candidate
                self.pending = b""
        return bytes(out), False


@dataclass
class Relay:
    ctx: Context
    stream: HijackedStream
    stdin: bool
    tty: bool
    detach_keys: bytes = DEFAULT_DETACH_KEYS

    def run(self) -> bool:
        """Relay until the output ends; True if the user detached with the key sequence."""
        if self.stdin and self.tty and is_terminal(self.ctx.stdin):
            return self._interactive()
        if not (self.stdin and self.ctx.stdin is not None):
            self.stream.close_write()
            self._copy_output()
            return False
        # The feeder must stop when the output ends, or in a REPL it would keep reading (and
        # swallow) the next line typed at the prompt: a pipe wakes it up.
        wake_r, wake_w = os.pipe()
        feeder = threading.Thread(target=self._feed_stdin, args=(wake_r,), name="stdin", daemon=True)
        feeder.start()
        try:
            self._copy_output()
        finally:
            os.write(wake_w, b"x")
            feeder.join(timeout=5)
            os.close(wake_w)
            if not feeder.is_alive():
                os.close(wake_r)
        return False

    # -- output -------------------------------------------------------------------------

    def _write(self, kind: Stream, data: bytes) -> None:
        if kind == Stream.STDERR and not self.tty:
            self.ctx.write_bytes(data, self.ctx.stderr)
        elif kind in (Stream.STDOUT, Stream.STDERR):
            self.ctx.write_bytes(data, self.ctx.stdout)
        elif kind == Stream.SYSTEMERR:
            self.ctx.write_bytes(data, self.ctx.stderr)

    def _copy_output(self) -> None:
        try:
            for kind, data in self.stream.output():
                self._write(kind, data)
        except ConnectionResetError:
            # The engine dropped the connection (it stopped, or removed the container):
            # the exit status, asked for next, tells the rest.
            pass

    # -- input --------------------------------------------------------------------------

    def _feed_stdin(self, wake: int) -> None:
        read = _reader(self.ctx.stdin, wake)
        try:
            while True:
                data = read()
                if not data:
                    break
                self.stream.sendall(data)
        except OSError:
            # The container went away while we were still sending: its output says why.
            pass
        finally:
            self.stream.close_write()

    def _interactive(self) -> bool:
        """Raw terminal, select() over the keyboard and the socket."""
        fd_in = fileno(self.ctx.stdin)
        assert fd_in is not None
        watcher = EscapeWatcher(self.detach_keys)
        decoder: FrameDecoder | None = self.stream.decoder()
        sock = self.stream.sock
        reading_stdin = True
        with RawMode(fd_in) as raw:
            while True:
                if self.stream.has_buffered():
                    ready = [sock]
                else:
                    watch = [sock, fd_in] if reading_stdin else [sock]
                    ready, _, _ = select.select(watch, [], [])
                if sock in ready:
                    data = self.stream.recv(65536)
                    if not data:
                        raw.restore()
                        return False
                    for kind, payload in decoder.feed(data) if decoder else [(Stream.STDOUT, data)]:
                        self._write(kind, payload)
                if reading_stdin and fd_in in ready:
                    data = os.read(fd_in, 4096)
                    if not data:
                        reading_stdin = False
                        self.stream.close_write()
                        continue
                    send, detached = watcher.feed(data)
                    if send:
                        self.stream.sendall(send)
                    if detached:
                        raw.restore()
                        return True


def _reader(stream: IO[str] | None, wake: int) -> Callable[[], bytes]:
    """A read function giving bytes as they arrive; b"" at the end or once ``wake`` is
    written to. Streams without a descriptor (a StringIO) are read directly."""
    if stream is None:
        return lambda: b""
    buffer = getattr(stream, "buffer", None)
    fd = fileno(buffer if buffer is not None else stream)
    if fd is not None:
        def read_fd() -> bytes:
            ready, _, _ = select.select([fd, wake], [], [])
            if wake in ready:
                return b""
            return os.read(fd, 65536)
        return read_fd
    if buffer is not None:
        return lambda: buffer.read1(65536) if hasattr(buffer, "read1") else buffer.read(65536)
    return lambda: stream.read(65536).encode()
