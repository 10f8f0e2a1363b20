"""The production transport against a small real HTTP server on a unix socket: keep-alive,
chunked streams, stale connections, and hijacking with bytes right behind the 101."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sandbox.client import EngineClient, Stream, encode_frame

Handler = Callable[[socket.socket, bytes], bool]


class TinyServer:
    """Accepts connections; for each request calls ``handler(conn, head)``. The handler
    answers and returns False to close the connection, True to keep it alive."""

    def __init__(self, path: Path, handler: Handler) -> None:
        self.path = path
        self.handler = handler
        self.connections = 0
        self.heads: list[bytes] = []
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(str(path))
        self.sock.listen(16)
        self._stop = False
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        buffer = b""
        with conn:
            while True:
                while b"\r\n\r\n" not in buffer:
                    chunk = conn.recv(4096)
                    if not chunk:
                        return
                    buffer += chunk
                head, buffer = buffer.split(b"\r\n\r\n", 1)
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                while len(buffer) < length:
                    buffer += conn.recv(4096)
                buffer = buffer[length:]
                self.heads.append(head)
                if not self.handler(conn, head):
                    return

    def close(self) -> None:
        self._stop = True
        self.sock.close()


def respond(conn: socket.socket, status: str, body: bytes, headers: str = "") -> None:
    conn.sendall(f"HTTP/1.1 {status}\r\nContent-Length: {len(body)}\r\nApi-Version: 1.41\r\n{headers}\r\n".encode()
                 + body)


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[[Handler], TinyServer]]:
    servers: list[TinyServer] = []

    def start(handler: Handler) -> TinyServer:
        server = TinyServer(tmp_path / f"s{len(servers)}.sock", handler)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


def test_keep_alive_reuses_one_connection(serve) -> None:
    def handler(conn: socket.socket, head: bytes) -> bool:
        respond(conn, "200 OK", b'{"ok":true}', "Content-Type: application/json\r\n")
        return True

    server = serve(handler)
    client = EngineClient(str(server.path))
    for _ in range(5):
        assert client.info() == {"ok": True}
    assert server.connections == 1
    assert server.heads[0].startswith(b"GET /_ping ")
    assert server.heads[1].startswith(b"GET /v1.41/info ")
    client.close()


def test_a_connection_closed_while_idle_is_replaced(serve) -> None:
    def handler(conn: socket.socket, head: bytes) -> bool:
        respond(conn, "200 OK", b"{}")
        return False  # close after every answer, like a server with a short idle timeout

    server = serve(handler)
    client = EngineClient(str(server.path))
    for _ in range(3):
        assert client.info() == {}
    assert server.connections == 4  # the ping and three requests, each on a new connection
    client.close()


def test_chunked_stream_is_read_as_it_comes(serve) -> None:
    def handler(conn: socket.socket, head: bytes) -> bool:
        if head.startswith(b"GET /_ping"):
            respond(conn, "200 OK", b"OK")
            return True
        conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        for payload in (encode_frame(1, b"one\n"), encode_frame(2, b"two\n")):
            conn.sendall(b"%x\r\n%s\r\n" % (len(payload), payload))
        conn.sendall(b"0\r\n\r\n")
        return True

    server = serve(handler)
    client = EngineClient(str(server.path))
    assert list(client.containers.logs("c", tty=False)) == [(Stream.STDOUT, b"one\n"), (Stream.STDERR, b"two\n")]
    # The connection went back to the pool: the next request does not reconnect.
    respond_count = server.connections
    client.ping()
    assert server.connections == respond_count
    client.close()


def test_hijack_keeps_bytes_sent_together_with_the_101(serve) -> None:
    def handler(conn: socket.socket, head: bytes) -> bool:
        if head.startswith(b"GET /_ping"):
            respond(conn, "200 OK", b"OK")
            return True
        # 101 and the first frame in one write: a client that buffers the response head
        # beyond the blank line would swallow the frame.
        conn.sendall(b"HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\n"
                     b"Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n" + encode_frame(1, b"first\n"))
        data = b""
        while chunk := conn.recv(1024):
            data += chunk
        conn.sendall(encode_frame(1, data.upper()))
        return False

    server = serve(handler)
    client = EngineClient(str(server.path))
    with client.containers.attach("c", stdin=True, tty=False) as stream:
        stream.sendall(b"input")
        stream.close_write()
        assert list(stream.output()) == [(Stream.STDOUT, b"first\n"), (Stream.STDOUT, b"INPUT")]
    head = server.heads[-1]
    assert b"Connection: Upgrade" in head and b"Upgrade: tcp" in head
    client.close()


def test_hijack_refused_with_an_error_body(serve) -> None:
    def handler(conn: socket.socket, head: bytes) -> bool:
        if head.startswith(b"GET /_ping"):
            respond(conn, "200 OK", b"OK")
            return True
        respond(conn, "409 Conflict", b'{"message":"container is paused"}')
        return False

    server = serve(handler)
    client = EngineClient(str(server.path))
    from sandbox.client import EngineError

    with pytest.raises(EngineError) as info:
        client.exec.start("e")
    assert info.value.status == 409
    assert info.value.message == "container is paused"
    client.close()


def test_concurrent_requests_use_separate_connections(serve) -> None:
    gate = threading.Event()

    def handler(conn: socket.socket, head: bytes) -> bool:
        if b"/wait" in head:
            # Headers now, body only once released: like /wait before /start in docker run.
            conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
            gate.wait(10)
            body = b'{"StatusCode":0}'
            conn.sendall(b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body))
            return True
        if b"/start" in head:
            gate.set()
        respond(conn, "204 No Content" if b"/start" in head else "200 OK", b"" if b"/start" in head else b"OK")
        return True

    server = serve(handler)
    client = EngineClient(str(server.path))
    waiter = client.containers.begin_wait("c", condition="next-exit")
    client.containers.start("c")
    assert waiter.result() == {"StatusCode": 0}
    client.close()
