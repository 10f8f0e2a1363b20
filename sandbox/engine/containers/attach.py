"""``POST /containers/{id}/attach``: a connection to the container's stdio.

The container's shim serves ``attach.sock``: after a one-line JSON hello it sends output
in Docker's frames (a terminal's output too, all as stream 1) and takes raw input. Attach
may come before start (``docker run`` attaches first): the runtime container is then made
at once, its init waiting for start, so no output is missed.
"""

from __future__ import annotations

import fcntl
import json
import socket
import struct
import termios
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sandbox.engine.containers import lifecycle, logs
from sandbox.engine.containers.registry import Container
from sandbox.errors import ContainerConflict, ContainerServiceError
from sandbox.runtime.relay import connect_unix

if TYPE_CHECKING:
    from sandbox.engine.containers.context import Engine


@dataclass(eq=False)
class Attachment:
    """``replay``: logged output to send first (``logs=1``); ``sock``: the live stream (None
    without ``stream=1``). With ``tty`` the route sends payloads raw, without frames."""

    tty: bool
    replay: list[tuple[int, bytes]] = field(default_factory=list)
    sock: socket.socket | None = None

    def close(self) -> None:
        if self.sock is not None:
            _shutdown(self.sock)
            self.sock.close()
            self.sock = None


def _shutdown(sock: socket.socket) -> None:
    """End the connection for every copy of the descriptor: a shim forked while it was open
    holds one, and a plain close would leave the other side waiting."""
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # the peer is gone already


def frames(sock: socket.socket, chunk: int = 65536) -> Iterator[tuple[int, bytes]]:
    """(stream, payload) from the shim's framed output until it closes the connection."""
    buf = b""
    while True:
        data = sock.recv(chunk)
        if not data:
            return
        buf += data
        while len(buf) >= 8:
            stream, size = struct.unpack(">BxxxL", buf[:8])
            if len(buf) < 8 + size:
                break
            yield stream, buf[8:8 + size]
            buf = buf[8 + size:]


def _await_hello_read(sock: socket.socket, cid: str, timeout: float = 5.0) -> None:
    """Wait until the shim has read our hello: it forwards output only to clients whose hello
    it has parsed, so returning earlier could lose the first output of a container started
    right after (``docker run``). A unix socket's send queue (SIOCOUTQ) empties when the peer
    has read the bytes, and the shim parses a hello in the same step as it reads it."""
    deadline = time.monotonic() + timeout
    pause = 0.0005
    while True:
        queued = struct.unpack("i", fcntl.ioctl(sock.fileno(), termios.TIOCOUTQ, b"\0" * 4))[0]
        if queued == 0:
            return
        if time.monotonic() > deadline:
            sock.close()
            raise ContainerServiceError(f"the shim of container {cid} did not take the attach request",
                                        "the container may be stuck; try again")
        time.sleep(pause)
        pause = min(pause * 2, 0.01)


def attach(eng: Engine, c: Container, stdin: bool, stdout: bool, stderr: bool, stream: bool,
           replay_logs: bool) -> Attachment:
    with c.lock:
        s = c.rec.state
        if s.removing or c.removed:
            raise ContainerConflict(c.id, f"container {c.id} is being removed; cannot attach")
        att = Attachment(tty=bool(c.rec.config.get("Tty")))
        if replay_logs:
            q = logs.LogQuery(stdout=stdout, stderr=stderr)
            att.replay = [(st, payload) for st, payload, _ in logs.read(c.rec.log_path, q)]
        if stream:
            if not s.live:
                lifecycle.prepare(eng, c)
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                connect_unix(sock, str(eng.runtime.attach_socket(c.id)))
                hello = {"stdin": stdin, "stdout": stdout, "stderr": stderr}
                sock.sendall(json.dumps(hello).encode() + b"\n")
            except OSError as e:
                sock.close()
                raise ContainerServiceError(f"cannot attach to container {c.id}: {e}",
                                            "the container may have just exited") from e
            _await_hello_read(sock, c.id)
            att.sock = sock
        eng.event(c, "attach")
    return att
