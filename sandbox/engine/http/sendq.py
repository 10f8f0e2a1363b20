"""Wait until the client has read what was sent: the unix socket's send queue (SIOCOUTQ).

Why the server needs it after a 101: the docker SDK (http.client under requests) reads the
101 through a buffered reader, then takes the raw socket out from under that buffer for the
stream. Stream bytes that reach the socket before the SDK's read of the 101 land in the
same ``recv`` and stay in the abandoned buffer: that output is lost. On a unix stream
socket the bytes a peer has not yet read are charged to the sender until the peer's
``recv`` consumes them, so an empty send queue means the 101 was read by itself.

The docker CLI (Go) does not need this: it keeps its buffered reader and hands over what it
read past the 101. A fixed pause was used before; it cost every attach 50 ms and was not
enough on a loaded machine.
"""

from __future__ import annotations

import asyncio
import fcntl
import socket
import struct
import termios
import time
from typing import Any

_FIRST_POLL = 0.0005
_MAX_POLL = 0.01


def queued(sock: socket.socket) -> int:
    """What ``sock`` has sent that the peer has not read yet; 0 once it has read it all. On
    a unix socket this is the memory charged for those buffers, not their byte count."""
    # TIOCOUTQ and SIOCOUTQ are the same request number on Linux.
    return int(struct.unpack("i", fcntl.ioctl(sock.fileno(), termios.TIOCOUTQ, b"\0" * 4))[0])


async def until_read(writer: Any, timeout: float = 5.0) -> bool:
    """True once the peer has read everything sent so far; False if it has not within
    ``timeout`` or the connection is not a unix socket (a test pipe): the caller goes on
    either way, as a client slower than that is not waiting for the stream anyway."""
    get = getattr(writer, "get_extra_info", None)
    sock = get("socket") if get is not None else None
    if sock is None or sock.family != socket.AF_UNIX:
        return False
    deadline = time.monotonic() + timeout
    pause = _FIRST_POLL
    while True:
        try:
            if queued(sock) == 0:
                return True
        except OSError:
            return False  # the connection is gone; the next write says so
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(pause)
        pause = min(pause * 2, _MAX_POLL)
