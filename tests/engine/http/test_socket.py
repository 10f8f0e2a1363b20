"""Over a real unix socket: chunked uploads, hijacked streams, and a storm of garbage."""

from __future__ import annotations

import asyncio
import fcntl
import json
import random
import socket
import struct
import termios
from pathlib import Path

from sandbox.engine.http.frames import MULTIPLEXED, split_frames
from sandbox.engine.http.pipe import Pipe
from sandbox.engine.http.sendq import queued, until_read
from sandbox.engine.http.testing import TestClient
from sandbox.engine.http.wire import UPGRADE_101
from tests.helpers import wait_until

from .conftest import Gate

UPGRADE = UPGRADE_101.format(media=MULTIPLEXED).encode()


def connect(client: TestClient) -> socket.socket:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    assert client.socket_path is not None
    s.connect(str(client.socket_path))
    return s


def read_all(s: socket.socket) -> bytes:
    out = b""
    while True:
        try:
            data = s.recv(65536)
        except ConnectionResetError:
            return out
        if not data:
            return out
        out += data


def read_exactly(s: socket.socket, n: int) -> bytes:
    out = b""
    while len(out) < n:
        data = s.recv(n - len(out))
        assert data, f"connection ended after {len(out)} of {n} bytes"
        out += data
    return out


def test_the_socket_serves_json(socket_client: TestClient) -> None:
    assert socket_client.get("/echo/hi").json()["word"] == "hi"
    assert oct(Path(socket_client.socket_path).stat().st_mode & 0o777)  # it is a real file


def test_chunked_upload_over_the_socket(socket_client: TestClient) -> None:
    payload = b"".join(bytes([i % 251]) * 997 for i in range(300))  # ~300 KB, odd sizes
    with connect(socket_client) as s:
        s.sendall(b"POST /v1.41/upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                  b"Content-Type: application/x-tar\r\n\r\n")
        for i in range(0, len(payload), 4093):
            piece = payload[i:i + 4093]
            s.sendall(b"%x\r\n%s\r\n" % (len(piece), piece))
        s.sendall(b"0\r\n\r\n")
        head = b""
        while b"\r\n\r\n" not in head:
            head += s.recv(4096)
        head, _, body = head.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200 OK")
        length = int(next(line.split(b":")[1] for line in head.split(b"\r\n") if line.startswith(b"Content-Length")))
        body += read_exactly(s, length - len(body))
        assert json.loads(body) == {"length": len(payload)}


def test_hijack_upgrades_with_dockers_exact_101(socket_client: TestClient) -> None:
    with connect(socket_client) as s:
        s.sendall(b"POST /v1.41/attach?stream=1&stdin=1&stdout=1 HTTP/1.1\r\nHost: x\r\n"
                  b"Connection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 0\r\n\r\n")
        assert read_exactly(s, len(UPGRADE)) == UPGRADE
        s.sendall(b"hello from stdin\n")
        s.shutdown(socket.SHUT_WR)
        frames = list(split_frames(read_all(s)))
    assert frames == [(1, b"HELLO FROM STDIN\n"), (2, b"done")]


def test_hijack_tty_is_a_raw_stream(socket_client: TestClient) -> None:
    with connect(socket_client) as s:
        s.sendall(b"POST /attach?tty=1 HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n")
        expected = UPGRADE_101.format(media="application/vnd.docker.raw-stream").encode()
        assert read_exactly(s, len(expected)) == expected
        s.sendall(b"abc")
        s.shutdown(socket.SHUT_WR)
        assert read_all(s) == b"ABCdone"


def test_a_client_that_does_not_upgrade_gets_200_and_the_stream(socket_client: TestClient) -> None:
    with connect(socket_client) as s:
        s.sendall(b"POST /attach HTTP/1.1\r\nHost: x\r\n\r\nxyz")
        s.shutdown(socket.SHUT_WR)
        reply = read_all(s)
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"Content-Type: application/vnd.docker.multiplexed-stream" in head
    assert list(split_frames(body)) == [(1, b"XYZ"), (2, b"done")]


class _Recorder:
    """A transport that records each write and drain, to see how the 101 goes out."""

    def __init__(self, pipe: Pipe) -> None:
        self.inner = pipe.server_writer
        self.calls: list[tuple[str, bytes]] = []

    def write(self, data: bytes) -> None:
        self.calls.append(("write", data))
        self.inner.write(data)

    async def drain(self) -> None:
        self.calls.append(("drain", b""))
        await self.inner.drain()

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)


def test_the_101_is_flushed_alone_before_the_stream(socket_client: TestClient) -> None:
    """The 101 is a write of its own, drained before the handler writes anything."""

    async def go() -> list[tuple[str, bytes]]:
        pipe = Pipe()
        rec = _Recorder(pipe)
        pipe.client_writer.write(b"POST /attach HTTP/1.1\r\nUpgrade: tcp\r\nConnection: Upgrade\r\n\r\nq")
        pipe.client_writer.write_eof()
        await socket_client.server.handle(pipe.server_reader, rec)  # type: ignore[arg-type]
        return rec.calls

    calls = socket_client.run(go())
    assert calls[0] == ("write", UPGRADE) and calls[1] == ("drain", b"")
    assert calls[2][0] == "write" and calls[2][1].startswith(b"\x01\x00\x00\x00")


def _inq(s: socket.socket) -> int:
    return int(struct.unpack("i", fcntl.ioctl(s.fileno(), termios.FIONREAD, b"\0" * 4))[0])


def test_the_stream_waits_until_the_client_has_read_the_101(socket_client: TestClient, gate: Gate) -> None:
    """The docker SDK reads the 101 through a buffer it then abandons: output that arrives
    in the same read is lost. So nothing follows the 101 until the client has read it."""
    with connect(socket_client) as s:
        s.sendall(b"POST /greet HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n")
        assert wait_until(lambda: _inq(s) >= len(UPGRADE), timeout=10)
        assert not gate.greeted.wait(0.5)  # the handler is held while the 101 sits unread
        assert _inq(s) == len(UPGRADE)
        assert s.recv(65536) == UPGRADE
        assert gate.greeted.wait(10)
        assert list(split_frames(read_all(s))) == [(1, b"hi")]


def test_until_read_follows_the_send_queue() -> None:
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)

    class Writer:
        def get_extra_info(self, name: str) -> socket.socket | None:
            return a if name == "socket" else None

    async def go() -> tuple[bool, bool]:
        a.sendall(b"x" * 10)
        assert queued(a) > 0
        waiting = asyncio.create_task(until_read(Writer(), timeout=10))
        done, _ = await asyncio.wait({waiting}, timeout=0.2)
        held = not done
        b.recv(10)
        return held, await waiting

    with a, b:
        assert asyncio.run(go()) == (True, True)
        assert asyncio.run(until_read(Writer(), timeout=0)) is True  # nothing queued: at once
        assert asyncio.run(until_read(object())) is False  # not a socket (the test pipe)



# -- garbage ----------------------------------------------------------------------------------

_VALID = b"POST /body HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"


def _garbage(rng: random.Random) -> bytes:
    kind = rng.randrange(8)
    noise = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 120)))
    if kind == 0:  # noise that cannot start a request line
        return bytes([rng.choice(b"\x00\x01\x7f\x80\xff({<")]) + noise
    if kind == 1:  # a good request line, then a header that is not one
        return b"GET /echo/x HTTP/1.1\r\n" + noise.replace(b":", b"") + b"\x01\r\n\r\n"
    if kind == 2:  # a chunk size that is not hex
        return (b"POST /body HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                + bytes(rng.choice(b"ghijklmnopqrstuvwxyz-+") for _ in range(rng.randrange(1, 8)))
                + b"\r\n" + noise + b"\r\n0\r\n\r\n")
    if kind == 3:  # a body shorter than announced
        return b"POST /body HTTP/1.1\r\nContent-Length: %d\r\n\r\n" % (len(noise) + rng.randrange(1, 50)) + noise
    if kind == 4:  # control characters in the target
        return b"GET /echo/" + bytes([rng.randrange(0, 32)]) + b" HTTP/1.1\r\n\r\n"
    if kind == 5:  # headers far over the limit
        return b"GET /echo/x HTTP/1.1\r\nX-Big: " + b"a" * rng.randrange(70_000, 90_000) + b"\r\n\r\n"
    if kind == 6:  # a broken protocol version
        version = bytes([rng.choice(b"023456789.x")]) + bytes(rng.choice(b"0123456789.x") for _ in range(rng.randrange(4)))
        return b"GET /echo/x HTTP/" + version + b"\r\n\r\n"
    # a good request whose JSON body is noise
    body = b"{" + noise
    return b"POST /body HTTP/1.1\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)


def _parse_reply(reply: bytes) -> tuple[int, dict[str, str], bytes]:
    head, sep, body = reply.partition(b"\r\n\r\n")
    assert sep, f"no complete head in {reply[:80]!r}"
    lines = head.decode("latin-1").split("\r\n")
    version, status, _ = lines[0].split(" ", 2)
    assert version == "HTTP/1.1"
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return int(status), headers, body


def test_200_malformed_requests_each_get_an_error_and_the_server_goes_on(socket_client: TestClient) -> None:
    rng = random.Random(20240601)
    for i in range(200):
        data = _garbage(rng)
        with connect(socket_client) as s:
            try:
                s.sendall(data)
                s.shutdown(socket.SHUT_WR)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the server answered and closed before reading it all
            reply = read_all(s)
        status, headers, body = _parse_reply(reply)
        assert 400 <= status < 600, (i, data[:80], reply[:200])
        assert headers.get("content-type") == "application/json" and headers.get("api-version") == "1.47"
        assert int(headers["content-length"]) == len(body)
        assert json.loads(body)["message"], (i, body)
    # Still serving, on new connections and on keep-alive ones.
    assert socket_client.get("/echo/alive").json()["word"] == "alive"
    assert socket_client.post("/body", json={"ok": 1}).json() == {"length": 9, "json": {"ok": 1}}
    assert socket_client.run(_wait_idle(socket_client)), "connections were left open"


async def _wait_idle(client: TestClient, timeout: float = 5.0) -> bool:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while loop.time() < end:
        if client.server.connections == 0:
            return True
        await asyncio.sleep(0.01)
    return False


def test_a_finished_stream_half_closes_and_reads_the_clients_last_bytes(socket_client: TestClient) -> None:
    """Keystrokes that arrive after the container's output ended are read, not left in the
    socket: closing a unix socket with unread input resets the peer's connection."""
    with connect(socket_client) as s:
        s.sendall(b"POST /greet HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n")
        assert read_exactly(s, len(UPGRADE)) == UPGRADE
        out = b""
        while data := s.recv(65536):  # a ConnectionResetError here fails the test
            out += data
        assert list(split_frames(out)) == [(1, b"hi")]
        # The server's end of file was a half-close: it still reads what we send.
        s.sendall(b"exit\r\n")
        s.shutdown(socket.SHUT_WR)
        assert s.recv(1) == b""
