"""The userspace port proxy on loopback only: a backend on 127.0.0.1 stands in for a container."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest

from sandbox.errors import InvalidNetworkConfig, PortAllocated
from sandbox.linux.trace import ListSink, Tracer
from sandbox.network.model import PortBinding
from sandbox.network.proxy import PortProxy

C = "c" * 64


@pytest.fixture
def proxy() -> Iterator[tuple[PortProxy, ListSink]]:
    sink = ListSink()
    p = PortProxy(Tracer(sink))
    try:
        yield p, sink
    finally:
        p.close()


@pytest.fixture
def tcp_backend() -> Iterator[int]:
    """An upper-casing TCP server on 127.0.0.1 that answers once its client half-closes."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(5)

    def serve() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            with conn:
                data = b""
                while chunk := conn.recv(65536):
                    data += chunk
                conn.sendall(data.upper())
    t = threading.Thread(target=serve, daemon=True)
    t.start()
    try:
        yield server.getsockname()[1]
    finally:
        server.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept(); close() alone would not
        server.close()
        t.join(5)


def _roundtrip(port: int, payload: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as c:
        c.sendall(payload)
        c.shutdown(socket.SHUT_WR)
        out = b""
        while chunk := c.recv(65536):
            out += chunk
        return out


def test_tcp_relay_passes_data_and_half_close(proxy: tuple[PortProxy, ListSink], tcp_backend: int) -> None:
    p, sink = proxy
    b = p.add(PortBinding(C, "127.0.0.1", 0, "127.0.0.1", tcp_backend))
    assert b.host_port != 0
    payload = bytes(range(256)) * 2000  # more than one buffer each way
    assert _roundtrip(b.host_port, payload) == payload.upper()
    assert _roundtrip(b.host_port, b"again") == b"AGAIN"
    assert p.connections(b)[1] == 2
    assert "port.publish" in sink.ops()


def test_remove_frees_the_port_at_once(proxy: tuple[PortProxy, ListSink], tcp_backend: int) -> None:
    p, _ = proxy
    b = p.add(PortBinding(C, "127.0.0.1", 0, "127.0.0.1", tcp_backend))
    _roundtrip(b.host_port, b"x")
    assert p.remove(b)
    with socket.socket() as s:
        s.bind(("127.0.0.1", b.host_port))
    assert not p.remove(b)


def test_a_taken_port_gives_dockers_error(proxy: tuple[PortProxy, ListSink]) -> None:
    p, _ = proxy
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen(1)
        port = squatter.getsockname()[1]
        with pytest.raises(PortAllocated) as err:
            p.add(PortBinding(C, "127.0.0.1", port, "127.0.0.1", 80))
    assert str(err.value) == f"Bind for 127.0.0.1:{port} failed: port is already allocated"


def test_nobody_listening_behind_closes_the_client(proxy: tuple[PortProxy, ListSink]) -> None:
    p, _ = proxy
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        dead_port = free.getsockname()[1]
    b = p.add(PortBinding(C, "127.0.0.1", 0, "127.0.0.1", dead_port))
    with socket.create_connection(("127.0.0.1", b.host_port), timeout=5) as c:
        try:
            got = c.recv(100)  # the proxy gives up on the backend and closes us
        except ConnectionResetError:
            got = b""
    assert got == b""


def test_udp_relay_answers_each_client(proxy: tuple[PortProxy, ListSink]) -> None:
    p, _ = proxy
    backend = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    backend.bind(("127.0.0.1", 0))
    backend.settimeout(5)

    def serve() -> None:
        for _ in range(2):
            data, addr = backend.recvfrom(2048)
            backend.sendto(data[::-1], addr)
    t = threading.Thread(target=serve, daemon=True)
    t.start()
    b = p.add(PortBinding(C, "127.0.0.1", 0, "127.0.0.1", backend.getsockname()[1], "udp"))
    try:
        for msg in (b"abc", b"xyz"):
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as c:
                c.settimeout(5)
                c.sendto(msg, ("127.0.0.1", b.host_port))
                assert c.recvfrom(2048)[0] == msg[::-1]
    finally:
        t.join(5)
        backend.close()


def test_port_table_checks_its_own_bindings_first(tmp_path, tcp_backend: int) -> None:  # type: ignore[no-untyped-def]
    from sandbox.network.ports import PortTable
    from sandbox.network.store import NetworkStore

    table = PortTable(NetworkStore(tmp_path), PortProxy())
    try:
        b = table.publish(C, "127.0.0.1", 0, "127.0.0.1", tcp_backend)
        assert table.publish(C, "127.0.0.1", b.host_port, "127.0.0.1", tcp_backend) == b  # idempotent
        with pytest.raises(PortAllocated, match=f"0.0.0.0:{b.host_port}") as err:
            table.publish("d" * 64, "", b.host_port, "127.0.0.1", 81)
        assert err.value.holder == C[:12]
        with pytest.raises(InvalidNetworkConfig):
            table.publish(C, "localhost", 1234, "127.0.0.1", 81)
        assert b.describe() == f"{tcp_backend}/tcp -> 127.0.0.1:{b.host_port}"
        assert [x.host_port for x in NetworkStore(tmp_path).load_ports()] == [b.host_port]
        assert table.unpublish_all(C) == [b]
        assert table.bindings() == [] and NetworkStore(tmp_path).load_ports() == []
    finally:
        table.proxy.close()
