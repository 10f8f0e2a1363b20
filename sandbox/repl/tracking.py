"""A transport wrapper that remembers what the running command opened and touched.

Ctrl-C must stop a command that is blocked inside the client: reading ``logs -f``,
waiting on ``/wait``, relaying an attached container's output. The worker thread cannot
be interrupted, but its connections can: shutting a socket down makes the blocked read
return at once. And ``docker run`` should forward the interrupt to its container, so the
containers named in the command's request paths are remembered too.

Only the command client goes through here; the toolbar and completion use their own
client, so cancelling a command never cuts their connections.
"""

from __future__ import annotations

import os
import re
import socket
import threading
from dataclasses import dataclass, field
from typing import Any

from sandbox.client import Request, Transport, Upgraded

_CONTAINER_PATH = re.compile(r"^(?:/v\d+\.\d+)?/containers/([^/?]+)/[a-z]+$")
_NOT_CONTAINERS = frozenset({"create", "json", "prune"})


@dataclass
class Scope:
    """What one command opened: duplicates of its sockets (kept until the scope closes,
    so a descriptor number cannot be reused for something else meanwhile) and the
    containers its requests named, in order."""

    sockets: list[socket.socket] = field(default_factory=list)
    containers: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    dropped: bool = False

    def add_fd(self, fd: int) -> None:
        try:
            sock = socket.socket(fileno=os.dup(fd))
        except OSError:
            return  # not a socket (an in-process test transport): nothing to cut
        self.add_socket(sock, owned=True)

    def add_socket(self, sock: socket.socket, owned: bool = False) -> None:
        with self._lock:
            if self.dropped:
                _shutdown(sock)
            self.sockets.append(sock if owned else _dup(sock))

    def add_container(self, ref: str) -> None:
        with self._lock:
            if ref not in self.containers:
                self.containers.append(ref)

    def drop(self) -> None:
        """Cut every connection the command opened: its blocked reads return now."""
        with self._lock:
            self.dropped = True
            sockets = list(self.sockets)
        for sock in sockets:
            _shutdown(sock)

    def close(self) -> None:
        with self._lock:
            sockets, self.sockets = self.sockets, []
        for sock in sockets:
            sock.close()


def _dup(sock: socket.socket) -> socket.socket:
    return socket.socket(fileno=os.dup(sock.fileno()))


def _shutdown(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed by the other side: that is what we wanted


class TrackingTransport:
    def __init__(self, inner: Transport) -> None:
        self.inner = inner
        self._scope: Scope | None = None

    def begin(self) -> Scope:
        self._scope = Scope()
        return self._scope

    def end(self, scope: Scope) -> None:
        if self._scope is scope:
            self._scope = None
        scope.close()

    def _note(self, request: Request) -> Scope | None:
        scope = self._scope
        if scope is not None:
            match = _CONTAINER_PATH.match(request.route)
            if match and match.group(1) not in _NOT_CONTAINERS:
                scope.add_container(match.group(1))
        return scope

    def send(self, request: Request) -> Any:
        scope = self._note(request)
        response = self.inner.send(request)
        if scope is not None:
            fileno = getattr(response, "fileno", None)
            if callable(fileno):
                try:
                    scope.add_fd(fileno())
                except (AssertionError, OSError, ValueError):
                    pass  # the body was already read and the connection handed back
        return response

    def hijack(self, request: Request) -> Upgraded:
        scope = self._note(request)
        upgraded = self.inner.hijack(request)
        if scope is not None and upgraded.sock is not None:
            scope.add_socket(upgraded.sock)
        return upgraded

    def close(self) -> None:
        self.inner.close()
