"""The shim's I/O loop: container output to the json-file log and to attached clients,
attached clients' input to the container.

Clients connect to the container's ``attach.sock``. A client first sends one JSON line,
``{"stdin": true, "stdout": true, "stderr": true}``, then receives output framed as Docker
frames it (``[stream, 0, 0, 0, len(4, big-endian)] + payload``; 1 = stdout, 2 = stderr; a
terminal's output is all stream 1) and may send raw bytes for the container's stdin. When a
client that asked for stdin half-closes and the container was made with ``stdin_once``, the
container's stdin is closed, as Docker does for ``docker run -i`` when its input ends.
"""

from __future__ import annotations

import json
import os
import selectors
import socket
import struct
from collections.abc import Callable
from dataclasses import dataclass, field

from sandbox.runtime.logs import JsonFileLog

STDOUT, STDERR = 1, 2


# sun_path holds 108 bytes with its terminating NUL.
_SUN_PATH_MAX = 107


def _short(path: str, op: "Callable[[str], None]") -> None:
    """Run ``op`` (bind or connect) on ``path``, through /proc/self/fd/N/NAME when the path
    is longer than a unix socket address can hold (deep state roots)."""
    if len(path.encode()) <= _SUN_PATH_MAX:
        op(path)
        return
    dirfd = os.open(os.path.dirname(path) or ".", os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        op(f"/proc/self/fd/{dirfd}/{os.path.basename(path)}")
    finally:
        os.close(dirfd)


def bind_unix(sock: socket.socket, path: str) -> None:
    _short(path, sock.bind)


def connect_unix(sock: socket.socket, path: str) -> None:
    _short(path, sock.connect)


def frame(stream: int, payload: bytes) -> bytes:
    return struct.pack(">BxxxL", stream, len(payload)) + payload


@dataclass(eq=False)
class _Client:
    sock: socket.socket
    want: dict[str, bool] = field(default_factory=dict)
    hello: bytes = b""
    ready: bool = False
    reading: bool = True


@dataclass(repr=False, eq=False)
class RelayConfig:
    outputs: dict[int, int]
    """fd -> stream (STDOUT/STDERR); with a terminal, the pty master alone -> STDOUT."""
    stdin_fd: int | None
    """Where clients' input goes: the write end of the stdin pipe, or the pty master."""
    listener: socket.socket | None
    log_path: str | None
    stdin_once: bool = False
    tty: bool = False


class Relay:
    def __init__(self, cfg: RelayConfig) -> None:
        self.cfg = cfg
        self.sel = selectors.DefaultSelector()
        self.log = JsonFileLog(cfg.log_path) if cfg.log_path else None
        self.clients: dict[int, _Client] = {}
        self.stdin_fd = cfg.stdin_fd
        self.open_outputs = set(cfg.outputs)

    def run(self) -> None:
        """Until every output is closed (all the container's processes are gone)."""
        for fd in self.cfg.outputs:
            self.sel.register(fd, selectors.EVENT_READ, "out")
        if self.cfg.listener is not None:
            self.cfg.listener.setblocking(False)
            self.sel.register(self.cfg.listener, selectors.EVENT_READ, "listen")
        while self.open_outputs:
            for key, _ in self.sel.select():
                if key.data == "out":
                    self._output(key.fd)
                elif key.data == "listen":
                    self._accept()
                else:
                    self._client_input(key.data)
        self._close()

    def _output(self, fd: int) -> None:
        stream = self.cfg.outputs[fd]
        try:
            data = os.read(fd, 65536)
        except OSError:  # EIO from a pty master once every slave end is closed
            data = b""
        if not data:
            self.sel.unregister(fd)
            self.open_outputs.discard(fd)
            if self.log:
                self.log.flush("stdout" if stream == STDOUT else "stderr")
            return
        if self.log:
            self.log.write("stdout" if stream == STDOUT else "stderr", data)
        name = "stdout" if stream == STDOUT else "stderr"
        msg = frame(stream, data)
        for c in list(self.clients.values()):
            if c.ready and c.want.get(name):
                try:
                    c.sock.sendall(msg)
                except OSError:
                    self._drop(c)

    def _accept(self) -> None:
        assert self.cfg.listener is not None
        try:
            sock, _ = self.cfg.listener.accept()
        except BlockingIOError:
            return
        # Output is sent with blocking writes bounded by a timeout: a stuck client is
        # dropped rather than allowed to stall the container's output.
        sock.settimeout(2.0)
        c = _Client(sock)
        self.clients[sock.fileno()] = c
        self.sel.register(sock, selectors.EVENT_READ, c)

    def _client_input(self, c: _Client) -> None:
        try:
            data = c.sock.recv(65536)
        except OSError:
            data = b""
        if not c.ready:
            if not data:
                self._drop(c)
                return
            c.hello += data
            line, nl, rest = c.hello.partition(b"\n")
            if not nl:
                return
            try:
                c.want = {k: bool(v) for k, v in json.loads(line).items()}
            except (ValueError, AttributeError):
                self._drop(c)
                return
            c.ready = True
            data = rest
            if not data:
                return
        if not data:
            if c.want.get("stdin") and self.cfg.stdin_once and not self.cfg.tty and self.stdin_fd is not None:
                os.close(self.stdin_fd)
                self.stdin_fd = None
            # Half-closed: no more input, but the client still gets the output.
            self.sel.unregister(c.sock)
            c.reading = False
            return
        if c.want.get("stdin") and self.stdin_fd is not None:
            try:
                os.write(self.stdin_fd, data)
            except OSError:
                pass

    def _drop(self, c: _Client) -> None:
        if c.reading:
            self.sel.unregister(c.sock)
        self.clients.pop(c.sock.fileno(), None)
        c.sock.close()

    def _close(self) -> None:
        for c in list(self.clients.values()):
            self._drop(c)
        if self.log:
            self.log.close()
        if self.cfg.listener is not None:
            self.cfg.listener.close()
        if self.stdin_fd is not None and not self.cfg.tty:
            os.close(self.stdin_fd)
