"""A connection the engine upgraded to raw bytes (attach, exec start): both directions at once.

After ``101 UPGRADED`` the HTTP conversation is over; the socket carries the process's stdin
one way and its output the other. Bytes that arrived with the 101 response (``leftover``)
are handed out before anything read from the socket, or the first output would be lost.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

from ._frames import FrameDecoder, Stream, iter_frames

MULTIPLEXED = "application/vnd.docker.multiplexed-stream"
RAW = "application/vnd.docker.raw-stream"


class HijackedStream:
    """The upgraded socket. Use ``output()`` for (stream, bytes) pairs, ``sendall`` for stdin,
    ``close_write`` to send EOF to the process, and ``close`` (or ``with``) when done."""

    def __init__(self, sock: socket.socket, leftover: bytes = b"", *, tty: bool = False,
                 content_type: str = "") -> None:
        self.sock = sock
        self._leftover = leftover
        self.content_type = content_type
        # API < 1.42 daemons say raw-stream even when they frame the output; only the
        # explicit multiplexed type, or knowing there is no TTY, decides it.
        self.multiplexed = content_type == MULTIPLEXED or not tty

    # -- raw socket access -------------------------------------------------------------

    def fileno(self) -> int:
        return self.sock.fileno()

    def has_buffered(self) -> bool:
        """True if bytes are waiting that select() on the socket would not report."""
        return bool(self._leftover)

    def recv(self, size: int = 65536) -> bytes:
        if self._leftover:
            data, self._leftover = self._leftover[:size], self._leftover[size:]
            return data
        return self.sock.recv(size)

    def sendall(self, data: bytes) -> None:
        self.sock.sendall(data)

    def close_write(self) -> None:
        """Half-close: the process sees EOF on stdin while its output keeps coming."""
        try:
            self.sock.shutdown(socket.SHUT_WR)
        except OSError:
            # Already closed by the peer: there is nobody left to send EOF to.
            pass

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> "HijackedStream":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- decoded output ----------------------------------------------------------------

    def decoder(self) -> FrameDecoder | None:
        """A fresh incremental decoder for a select() loop, or None for a raw (TTY) stream."""
        return FrameDecoder() if self.multiplexed else None

    def output(self) -> Iterator[tuple[Stream, bytes]]:
        """Everything the process writes, until the engine closes the stream."""
        if self.multiplexed:
            yield from iter_frames(self.recv)
            return
        while True:
            chunk = self.recv(65536)
            if not chunk:
                return
            yield Stream.STDOUT, chunk
