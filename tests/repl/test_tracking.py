"""The command transport remembers containers and sockets; cutting them ends blocked reads."""

from __future__ import annotations

import socket
import threading

from sandbox.client import EngineClient, MockResponse, MockRouter, MockTransport
from sandbox.repl.tracking import Scope, TrackingTransport


def test_containers_named_in_request_paths_are_remembered_in_order() -> None:
    router = MockRouter()
    router.add("POST", r"/containers/[^/]+/(start|wait)", MockResponse(204))
    router.add("GET", "/containers/json", MockResponse.json([]))
    router.add("POST", "/containers/create", MockResponse.json({"Id": "abc"}, status=201))
    router.add("POST", "/containers/prune", MockResponse.json({}))
    tracking = TrackingTransport(MockTransport(router))
    client = EngineClient(transport=tracking)
    scope = tracking.begin()
    client.containers.list()
    client.containers.create({"Image": "busybox"})
    client.containers.prune()
    client.call("POST", "/containers/abc/wait")
    client.call("POST", "/containers/web/start")
    client.call("POST", "/containers/abc/start")
    tracking.end(scope)
    assert scope.containers == ["abc", "web"]


def test_requests_outside_a_scope_are_not_tracked() -> None:
    router = MockRouter().add("POST", r"/containers/[^/]+/start", MockResponse(204))
    tracking = TrackingTransport(MockTransport(router))
    scope = tracking.begin()
    tracking.end(scope)
    EngineClient(transport=tracking).call("POST", "/containers/web/start")
    assert scope.containers == []


def test_drop_ends_a_read_blocked_on_a_hijacked_socket() -> None:
    served = threading.Event()

    def serve(sock: socket.socket) -> None:
        served.set()
        sock.recv(1)  # holds the stream open, sending nothing, until the client goes

    router = MockRouter().add("POST", r"/containers/[^/]+/attach", MockResponse.hijacked(serve))
    tracking = TrackingTransport(MockTransport(router))
    client = EngineClient(transport=tracking)
    scope = tracking.begin()
    stream = client.containers.attach("web", tty=True)
    served.wait(5)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(stream.sock.recv(10)), daemon=True)
    reader.start()
    scope.drop()
    reader.join(5)
    assert not reader.is_alive() and got == [b""]
    tracking.end(scope)
    assert scope.sockets == []


def test_a_socket_added_after_drop_is_cut_at_once() -> None:
    a, b = socket.socketpair()
    with a, b:
        scope = Scope()
        scope.drop()
        scope.add_socket(a)
        assert b.recv(1) == b""
        scope.close()


def test_a_descriptor_that_is_no_socket_is_ignored(tmp_path) -> None:
    scope = Scope()
    with open(tmp_path / "f", "w") as f:
        scope.add_fd(f.fileno())
    assert scope.sockets == []
