"""The transport seam: how requests reach the engine.

``UnixTransport`` is production: http.client over an AF_UNIX socket, a small pool of
keep-alive connections (``docker run`` holds attach, wait and start open at once), and
hijacking for attach/exec. Tests swap in ``MockTransport`` (``_mock.py``) with the same
two methods, so the client above never knows which one it talks to.
"""

from __future__ import annotations

import http.client
import io
import socket
import threading
from dataclasses import dataclass
from typing import Protocol

from sandbox.errors import EngineProtocolError, EngineUnavailable

from ._address import display_address
from ._http import Headers, Request, Response


@dataclass
class Upgraded:
    """The answer to an upgrade request: a socket on 101, otherwise the status and body."""

    status: int
    reason: str
    headers: Headers
    sock: socket.socket | None = None
    leftover: bytes = b""
    body: bytes = b""


class Transport(Protocol):
    def send(self, request: Request) -> Response:
        """Send and return once the status line and headers are in; the body streams."""

    def hijack(self, request: Request) -> Upgraded:
        """Send with ``Connection: Upgrade`` and hand over the socket if the server agrees."""

    def close(self) -> None:
        """Close idle connections."""


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: str, timeout: float | None) -> None:
        # The host only fills the Host header; the socket path decides where we connect.
        super().__init__("localhost", timeout=timeout)
        self.unix_path = path

    def connect(self) -> None:
        self.sock = _connect(self.unix_path, self.timeout)


def _connect(path: str, timeout: float | None) -> socket.socket:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout)
        sock.connect(path)
    except BaseException:
        sock.close()
        raise
    return sock


def _unavailable(path: str, err: OSError) -> EngineUnavailable:
    address = display_address(path)
    if isinstance(err, FileNotFoundError):
        return EngineUnavailable(address, "no socket there (is the engine running?)")
    if isinstance(err, ConnectionRefusedError):
        return EngineUnavailable(address, "connection refused (the engine is not running)")
    if isinstance(err, PermissionError):
        return EngineUnavailable(address, "permission denied",
                                 hint="run as root, or join the `sandbox` group: sudo usermod -aG sandbox $USER")
    return EngineUnavailable(address, f"connection failed: {err}")


# A reused keep-alive connection may have been closed by the server while idle; these say
# so before any byte of a response arrived, which makes one retry on a new connection safe.
_STALE = (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError)


class UnixTransport:
    def __init__(self, path: str, timeout: float | None = None, max_idle: int = 4) -> None:
        self.path = path
        self.timeout = timeout
        self.max_idle = max_idle
        self._idle: list[_UnixConnection] = []
        self._lock = threading.Lock()

    # -- the pool -------------------------------------------------------------------------

    def _take(self) -> tuple[_UnixConnection, bool]:
        with self._lock:
            if self._idle:
                return self._idle.pop(), True
        return _UnixConnection(self.path, self.timeout), False

    def _give_back(self, conn: _UnixConnection) -> None:
        with self._lock:
            if len(self._idle) < self.max_idle and conn.sock is not None:
                self._idle.append(conn)
                return
        conn.close()

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()

    # -- requests -------------------------------------------------------------------------

    def send(self, request: Request) -> Response:
        while True:
            conn, reused = self._take()
            try:
                conn.request(request.method, request.path, body=request.body, headers=dict(request.headers))
                raw = conn.getresponse()
            except _STALE:
                conn.close()
                if reused:
                    continue
                raise _unavailable(self.path, ConnectionResetError("the engine closed the connection")) from None
            except OSError as err:
                conn.close()
                raise _unavailable(self.path, err) from err
            except http.client.HTTPException as err:
                conn.close()
                raise EngineProtocolError(f"{request.method} {request.route}", f"bad HTTP response: {err!r}") from err
            return _PooledResponse(raw, conn, self)

    def hijack(self, request: Request) -> Upgraded:
        try:
            sock = _connect(self.path, self.timeout)
        except OSError as err:
            raise _unavailable(self.path, err) from err
        try:
            sock.sendall(_serialize(request))
            # Read the response head one byte at a time: whatever follows the blank line
            # already belongs to the process's stream and must stay in the socket.
            raw = http.client.HTTPResponse(_ByteWise(sock), method=request.method)
            raw.begin()
            headers = Headers(raw.getheaders())
            if raw.status == 101:
                return Upgraded(raw.status, raw.reason, headers, sock=sock)
            body = raw.read()
        except OSError as err:
            sock.close()
            raise _unavailable(self.path, err) from err
        except http.client.HTTPException as err:
            sock.close()
            raise EngineProtocolError(f"{request.method} {request.route}", f"bad HTTP response: {err!r}") from err
        sock.close()
        return Upgraded(raw.status, raw.reason, headers, body=body)


class _ByteWise:
    """Looks like a socket to http.client but reads unbuffered beyond one byte."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock

    def makefile(self, mode: str) -> io.BufferedReader:
        return io.BufferedReader(self._sock.makefile("rb", buffering=0), buffer_size=1)  # type: ignore[arg-type]


def _serialize(request: Request) -> bytes:
    lines = [f"{request.method} {request.path} HTTP/1.1", "Host: localhost"]
    lines += [f"{k}: {v}" for k, v in request.headers.items()]
    body = request.body or b""
    lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


class _PooledResponse:
    """An http.client response that returns its connection to the pool once fully read."""

    def __init__(self, raw: http.client.HTTPResponse, conn: _UnixConnection, pool: UnixTransport) -> None:
        self._raw = raw
        self._conn: _UnixConnection | None = conn
        self._pool = pool
        self.status = raw.status
        self.reason = raw.reason
        self.headers = Headers(raw.getheaders())

    def _after_read(self, data: bytes) -> bytes:
        if self._raw.isclosed():
            self._release()
        return data

    def _release(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        if self._raw.will_close:
            conn.close()
        else:
            self._pool._give_back(conn)

    def read(self, amt: int | None = None) -> bytes:
        return self._after_read(self._raw.read(amt))

    def read1(self, amt: int = -1) -> bytes:
        return self._after_read(self._raw.read1(amt if amt and amt > 0 else 65536))

    def readline(self) -> bytes:
        return self._after_read(self._raw.readline())

    def close(self) -> None:
        if self._conn is None:
            return
        if self._raw.isclosed():
            self._release()
            return
        # Unread body left: the connection is mid-message and cannot carry another request.
        conn, self._conn = self._conn, None
        self._raw.close()
        conn.close()

    def fileno(self) -> int:
        """The socket, for select() while following a stream, or for shutdown(2) to wake
        a reader blocked in it. http.client drops the connection's reference to the socket
        when the response will close it (``Connection: close``), yet the response keeps
        reading from it: ask the response then."""
        if self._conn is not None and self._conn.sock is not None:
            return self._conn.sock.fileno()
        return self._raw.fileno()
