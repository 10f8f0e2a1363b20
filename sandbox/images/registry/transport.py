"""The seam between the registry client and the network.

``Transport.request(method, url, headers, body)`` returns a ``Response`` whose body is read
as a stream. ``HttpTransport`` speaks HTTP/1.1 with ``http.client``, keeping one idle
keep-alive connection per host; tests pass an in-process transport instead, so the Docker
Hub code path (token server, redirects to a CDN) runs without touching the internet.

Every network failure leaves this module as ``RegistryUnavailable``: a refused connection,
a reset in the middle of an upload, a response cut short.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, BinaryIO, Protocol, Self
from urllib.parse import urlsplit

from sandbox.errors import RegistryUnavailable

if TYPE_CHECKING:
    # Imported when the first request is made: http.client and ssl cost start-up time
    # that a CLI which never talks to a registry should not pay.
    import http.client
    import ssl

Body = bytes | BinaryIO | None
# A response body up to this size is read to its end on close, so its connection can be
# reused; a larger one that nobody finished is dropped with its connection.
_DRAIN_LIMIT = 64 << 10
_BLOCK = 1 << 20


@dataclass
class Response:
    status: int
    reason: str
    headers: dict[str, str]
    """Header names in lower case."""
    body: BinaryIO
    url: str
    on_close: Callable[[], None] | None = field(default=None, repr=False)

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def read(self, n: int = -1) -> bytes:
        return self.body.read(n)

    def close(self) -> None:
        if self.on_close is not None:
            on_close, self.on_close = self.on_close, None
            on_close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Transport(Protocol):
    def request(self, method: str, url: str, headers: Mapping[str, str], body: Body = None) -> Response:
        """Send one request; raise ``RegistryUnavailable`` if no answer comes back."""
        ...


def lower_headers(items: Mapping[str, str] | list[tuple[str, str]]) -> dict[str, str]:
    pairs = items.items() if isinstance(items, Mapping) else items
    out: dict[str, str] = {}
    for name, value in pairs:
        key = name.lower()
        # Repeated headers (WWW-Authenticate, Link) are joined as HTTP allows.
        out[key] = f"{out[key]}, {value}" if key in out else value
    return out


class _Body:
    """An ``http.client`` response that reports network errors as ``RegistryUnavailable``
    and notices a body cut short (http.client returns b"" silently in that case)."""

    def __init__(self, resp: http.client.HTTPResponse, host: str) -> None:
        self._resp = resp
        self._host = host
        self._left = resp.length

    def read(self, n: int = -1) -> bytes:
        import http.client

        try:
            data = self._resp.read() if n is None or n < 0 else self._resp.read(n)
        except (OSError, http.client.HTTPException) as e:
            raise RegistryUnavailable(self._host, f"the connection broke while reading: {e}") from e
        if self._left is not None:
            self._left -= len(data)
            if not data and self._left > 0 and n != 0:
                raise RegistryUnavailable(self._host, f"the connection closed {self._left} bytes early")
        return data


class HttpTransport:
    """HTTP/1.1 over ``http.client``; HTTPS with the default SSL context (system CAs)."""

    def __init__(self, timeout: float = 60.0, ssl_context: ssl.SSLContext | None = None,
                 user_agent: str = "sandbox-registry-client/0.1") -> None:
        self.timeout = timeout
        self.user_agent = user_agent
        self._ssl = ssl_context
        self._idle: dict[tuple[str, str], http.client.HTTPConnection] = {}

    def _connect(self, scheme: str, netloc: str) -> http.client.HTTPConnection:
        import http.client
        import ssl

        conn: http.client.HTTPConnection
        if scheme == "https":
            if self._ssl is None:
                self._ssl = ssl.create_default_context()
            conn = http.client.HTTPSConnection(netloc, timeout=self.timeout, context=self._ssl, blocksize=_BLOCK)
        else:
            conn = http.client.HTTPConnection(netloc, timeout=self.timeout, blocksize=_BLOCK)
        try:
            conn.connect()
        except OSError:
            conn.close()
            raise
        # http.client writes the headers and a streamed body separately: with Nagle's
        # algorithm the second write waits for the server's delayed ACK (about 40 ms) on
        # every upload. Requests are whole messages; send each write at once.
        import socket

        if conn.sock is not None:
            conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return conn

    def close(self) -> None:
        for conn in self._idle.values():
            conn.close()
        self._idle.clear()

    def request(self, method: str, url: str, headers: Mapping[str, str], body: Body = None) -> Response:
        import http.client

        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise RegistryUnavailable(url, "not an http(s) URL")
        key = (parts.scheme, parts.netloc)
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        all_headers = {"User-Agent": self.user_agent, **headers}
        reused = self._idle.pop(key, None)
        conn: http.client.HTTPConnection | None = reused
        try:
            if conn is None:
                conn = self._connect(*key)
            resp = self._send(conn, method, path, all_headers, body)
        except (OSError, http.client.HTTPException) as e:
            if conn is not None:
                conn.close()
            # A kept-alive connection the server closed meanwhile: retry once on a new one,
            # unless the body was a stream that is now partly consumed.
            if reused is None or not isinstance(body, (bytes, type(None))):
                raise self._unavailable(parts.netloc, e) from e
            conn = None
            try:
                conn = self._connect(*key)
                resp = self._send(conn, method, path, all_headers, body)
            except (OSError, http.client.HTTPException) as e2:
                if conn is not None:
                    conn.close()
                raise self._unavailable(parts.netloc, e2) from e2
        live = conn

        def release() -> None:
            if not resp.isclosed() and resp.length is not None and resp.length <= _DRAIN_LIMIT:
                try:
                    resp.read()
                except (OSError, http.client.HTTPException):
                    live.close()
                    return
            if resp.isclosed() and not resp.will_close and key not in self._idle:
                self._idle[key] = live
            else:
                live.close()

        return Response(status=resp.status, reason=resp.reason, headers=lower_headers(resp.getheaders()),
                        body=_Body(resp, parts.netloc), url=url, on_close=release)  # type: ignore[arg-type]

    @staticmethod
    def _send(conn: http.client.HTTPConnection, method: str, path: str, headers: dict[str, str],
              body: Body) -> http.client.HTTPResponse:
        conn.request(method, path, body=body, headers=headers)
        return conn.getresponse()

    @staticmethod
    def _unavailable(host: str, e: BaseException) -> RegistryUnavailable:
        import http.client
        import socket
        import ssl

        if isinstance(e, ConnectionRefusedError):
            reason = "connection refused"
        elif isinstance(e, (socket.timeout, TimeoutError)):
            reason = "timed out"
        elif isinstance(e, ssl.SSLError):
            reason = f"TLS failed: {e}"
        elif isinstance(e, socket.gaierror):
            reason = f"cannot resolve the host name: {e}"
        elif isinstance(e, (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected)):
            reason = f"the connection was closed by the registry ({e.__class__.__name__})"
        else:
            reason = str(e) or e.__class__.__name__
        return RegistryUnavailable(host, reason)
