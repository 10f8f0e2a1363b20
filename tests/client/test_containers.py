"""Each container method sends the request docker's reference says, and parses the answer."""

import socket

import pytest

from sandbox.client import (EngineClient, EngineError, EngineProtocolError, MockResponse, MockRouter, MockTransport,
                            PathStat, Stream, encode_frame)
from sandbox.client._archive import GO_MODE_DIR, decode_path_stat, encode_path_stat


def last(transport: MockTransport):
    return transport.requests[-1]


@pytest.mark.parametrize("call, method, route, query", [
    (lambda c: c.containers.start("web"), "POST", "/containers/web/start", {}),
    (lambda c: c.containers.stop("web", timeout=3), "POST", "/containers/web/stop", {"t": "3"}),
    (lambda c: c.containers.stop("web", signal="INT"), "POST", "/containers/web/stop", {"signal": "INT"}),
    (lambda c: c.containers.restart("web", timeout=0), "POST", "/containers/web/restart", {"t": "0"}),
    (lambda c: c.containers.kill("web", signal="TERM"), "POST", "/containers/web/kill", {"signal": "TERM"}),
    (lambda c: c.containers.kill("web"), "POST", "/containers/web/kill", {}),
    (lambda c: c.containers.pause("web"), "POST", "/containers/web/pause", {}),
    (lambda c: c.containers.unpause("web"), "POST", "/containers/web/unpause", {}),
    (lambda c: c.containers.remove("web", force=True, v=True), "DELETE", "/containers/web", {"force": "1", "v": "1"}),
    (lambda c: c.containers.remove("web"), "DELETE", "/containers/web", {}),
    (lambda c: c.containers.rename("web", "api"), "POST", "/containers/web/rename", {"name": "api"}),
    (lambda c: c.containers.resize("web", height=24, width=80), "POST", "/containers/web/resize", {"h": "24", "w": "80"}),
])
def test_no_content_calls(client: EngineClient, router: MockRouter, transport: MockTransport, call, method: str,
                          route: str, query: dict) -> None:
    router.add(method, route, MockResponse(204))
    assert call(client) is None
    assert last(transport).method == method
    assert last(transport).route == f"/v1.45{route}"
    assert last(transport).query == query


def test_stop_of_a_stopped_container_is_fine(client: EngineClient, router: MockRouter) -> None:
    router.add("POST", "/containers/web/stop", MockResponse(304))
    client.containers.stop("web")


def test_list_with_filters(client: EngineClient, router: MockRouter, transport: MockTransport) -> None:
    router.add("GET", "/containers/json", MockResponse.json([{"Id": "a"}]))
    assert client.containers.list(all=True, filters={"status": "exited"}, size=True) == [{"Id": "a"}]
    assert last(transport).query == {"all": "1", "size": "1", "filters": '{"status":{"exited":true}}'}


def test_list_of_nothing_is_an_empty_list(client: EngineClient, router: MockRouter) -> None:
    router.add("GET", "/containers/json", MockResponse(200, b"null"))
    assert client.containers.list() == []


def test_create_sends_name_and_body(client: EngineClient, router: MockRouter, transport: MockTransport) -> None:
    router.add("POST", "/containers/create", MockResponse.json({"Id": "abc", "Warnings": []}, status=201))
    body = {"Image": "busybox", "Cmd": ["true"], "HostConfig": {"AutoRemove": True}}
    assert client.containers.create(body, name="web")["Id"] == "abc"
    assert last(transport).query == {"name": "web"}
    assert last(transport).json() == body
    assert last(transport).headers["Content-Type"] == "application/json"


def test_create_of_unknown_image_is_a_404(client: EngineClient, router: MockRouter) -> None:
    router.add("POST", "/containers/create", MockResponse.error(404, "No such image: nope:latest"))
    with pytest.raises(EngineError) as info:
        client.containers.create({"Image": "nope"})
    assert info.value.status == 404


def test_wait_returns_after_headers_and_result_later(client: EngineClient, router: MockRouter,
                                                      transport: MockTransport) -> None:
    router.add("POST", "/containers/c/wait", MockResponse(200, [b'{"StatusCode":3,', b'"Error":null}']))
    waiter = client.containers.begin_wait("c", condition="removed")
    assert last(transport).query == {"condition": "removed"}
    assert waiter.result() == {"StatusCode": 3, "Error": None}


def test_update_returns_warnings(client: EngineClient, router: MockRouter, transport: MockTransport) -> None:
    router.add("POST", "/containers/c/update", MockResponse.json({"Warnings": ["w"]}))
    assert client.containers.update("c", {"Memory": 67108864}) == {"Warnings": ["w"]}
    assert last(transport).json() == {"Memory": 67108864}


def test_top_and_changes(client: EngineClient, router: MockRouter, transport: MockTransport) -> None:
    router.add("GET", "/containers/c/top", MockResponse.json({"Titles": ["PID"], "Processes": [["1"]]}))
    router.add("GET", "/containers/c/changes", MockResponse(200, b"null"))
    assert client.containers.top("c", ps_args="aux")["Processes"] == [["1"]]
    assert transport.requests[-1].query == {"ps_args": "aux"}
    assert client.containers.changes("c") == []


def test_one_shot_stats(client: EngineClient, router: MockRouter, transport: MockTransport) -> None:
    router.add("GET", "/containers/c/stats", MockResponse.json({"id": "c"}))
    assert client.containers.stats("c", stream=False) == {"id": "c"}
    assert last(transport).query == {"stream": "0"}


def test_streamed_stats(client: EngineClient, router: MockRouter, transport: MockTransport) -> None:
    router.add("GET", "/containers/c/stats", MockResponse.ndjson([{"n": 1}, {"n": 2}]))
    assert [s["n"] for s in client.containers.stats("c")] == [1, 2]
    assert last(transport).query == {"stream": "1"}


def test_prune(client: EngineClient, router: MockRouter) -> None:
    router.add("POST", "/containers/prune", MockResponse.json({"ContainersDeleted": ["a"], "SpaceReclaimed": 5}))
    assert client.containers.prune()["SpaceReclaimed"] == 5


# -- archives ---------------------------------------------------------------------------


def test_path_stat_header_round_trip() -> None:
    stat = PathStat(name="etc", size=4096, mode=GO_MODE_DIR | 0o755, mtime="2024-01-01T00:00:00Z")
    decoded = decode_path_stat(encode_path_stat(stat))
    assert decoded == stat
    assert decoded.is_dir and not decoded.is_symlink
    assert decoded.permissions == 0o755


def test_bad_path_stat_header_is_a_protocol_error() -> None:
    with pytest.raises(EngineProtocolError):
        decode_path_stat("not base64 json!!")


def test_get_archive_returns_tar_and_stat(client: EngineClient, router: MockRouter, transport: MockTransport) -> None:
    stat = PathStat(name="hosts", size=5, mode=0o644, mtime="t")
    router.add("GET", "/containers/c/archive",
               MockResponse(200, [b"tar", b"bytes"], {"X-Docker-Container-Path-Stat": encode_path_stat(stat)}))
    data, got = client.containers.get_archive("c", "/etc/hosts")
    assert data == b"tarbytes"
    assert got == stat
    assert last(transport).query == {"path": "/etc/hosts"}


def test_stat_path_uses_head(client: EngineClient, router: MockRouter, transport: MockTransport) -> None:
    stat = PathStat(name="tmp", size=0, mode=GO_MODE_DIR | 0o1777, mtime="t")
    router.add("HEAD", "/containers/c/archive",
               MockResponse(200, b"", {"X-Docker-Container-Path-Stat": encode_path_stat(stat)}))
    assert client.containers.stat_path("c", "/tmp").is_dir


def test_put_archive(client: EngineClient, router: MockRouter, transport: MockTransport) -> None:
    router.add("PUT", "/containers/c/archive", MockResponse(200))
    client.containers.put_archive("c", "/tmp", b"TAR", copy_uid_gid=True)
    assert last(transport).body == b"TAR"
    assert last(transport).headers["Content-Type"] == "application/x-tar"
    assert last(transport).query == {"path": "/tmp", "copyUIDGID": "1"}


def test_export_streams(client: EngineClient, router: MockRouter) -> None:
    router.add("GET", "/containers/c/export", MockResponse(200, [b"a" * 10, b"b" * 5]))
    assert client.containers.export("c").read_all() == b"a" * 10 + b"b" * 5


# -- attach -----------------------------------------------------------------------------


def _echo_server(prefix: bytes):
    """A hijacked peer: sends a greeting frame, then echoes stdin back as stderr frames."""

    def serve(sock: socket.socket) -> None:
        sock.sendall(encode_frame(1, prefix))
        data = b""
        while chunk := sock.recv(1024):
            data += chunk
        sock.sendall(encode_frame(2, data))

    return serve


def test_attach_is_hijacked_and_multiplexed(client: EngineClient, router: MockRouter,
                                            transport: MockTransport) -> None:
    router.add("POST", "/containers/c/attach", MockResponse.hijacked(_echo_server(b"hello\n")))
    with client.containers.attach("c", stdin=True, tty=False) as stream:
        stream.sendall(b"typed")
        stream.close_write()
        assert list(stream.output()) == [(Stream.STDOUT, b"hello\n"), (Stream.STDERR, b"typed")]
    request = last(transport)
    assert request.headers["Connection"] == "Upgrade"
    assert request.headers["Upgrade"] == "tcp"
    assert request.query == {"stdin": "1", "stdout": "1", "stderr": "1", "stream": "1"}


def test_attach_to_a_tty_container_is_raw(client: EngineClient, router: MockRouter) -> None:
    def serve(sock: socket.socket) -> None:
        sock.sendall(b"\x01\x02 raw")

    router.add("POST", "/containers/c/attach", MockResponse.hijacked(serve))
    with client.containers.attach("c", tty=True) as stream:
        assert b"".join(d for _, d in stream.output()) == b"\x01\x02 raw"


def test_attach_content_type_multiplexed_wins_over_tty(client: EngineClient, router: MockRouter) -> None:
    router.add("POST", "/containers/c/attach",
               MockResponse.hijacked(lambda s: s.sendall(encode_frame(1, b"x")),
                                     content_type="application/vnd.docker.multiplexed-stream"))
    with client.containers.attach("c", tty=True) as stream:
        assert list(stream.output()) == [(Stream.STDOUT, b"x")]


def test_attach_to_a_missing_container(client: EngineClient, router: MockRouter) -> None:
    router.add("POST", "/containers/c/attach", MockResponse.error(404, "No such container: c"))
    with pytest.raises(EngineError) as info:
        client.containers.attach("c", tty=False)
    assert info.value.message == "No such container: c"


def test_attach_answered_with_200_is_refused(client: EngineClient, router: MockRouter) -> None:
    router.add("POST", "/containers/c/attach", MockResponse(200, b""))
    with pytest.raises(EngineProtocolError) as info:
        client.containers.attach("c", tty=False)
    assert "101" in info.value.problem


def test_attach_asks_for_tty_when_not_told(client: EngineClient, router: MockRouter, transport: MockTransport) -> None:
    router.add("GET", "/containers/c/json", MockResponse.json({"Config": {"Tty": False}}))
    router.add("POST", "/containers/c/attach", MockResponse.hijacked(lambda s: s.sendall(encode_frame(2, b"e"))))
    with client.containers.attach("c") as stream:
        assert list(stream.output()) == [(Stream.STDERR, b"e")]
    assert transport.routes()[-2] == "GET /containers/c/json"
