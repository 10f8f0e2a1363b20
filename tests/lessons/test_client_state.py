"""ClientStateReader over the client's in-process mock engine: what it asks for and how it
reads the answers (inspect, archive, exec, logs, events, the /sandbox pictures and their
dockerd fallbacks), plus loopback-only HTTP against a real local server."""

from __future__ import annotations

import http.server
import io
import os
import socket
import tarfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox.client import EngineClient, MockResponse, MockRouter, MockTransport, encode_frame
from sandbox.client._archive import PathStat, encode_path_stat
from sandbox.client._http import Request
from sandbox.errors import EngineError, HostRefused
from sandbox.lessons.client_state import ClientStateReader, _split_ref

CID = "c0ffee" + "0" * 58
WEB = {
    "Id": CID,
    "Name": "/web",
    "State": {"Status": "running", "Running": True, "Pid": os.getpid()},
    "Config": {"Tty": False},
    "HostConfig": {"Memory": 64 << 20, "PidsLimit": 20},
}


@pytest.fixture
def router() -> MockRouter:
    router = MockRouter()
    router.add("GET", "/containers/web/json", MockResponse.json(WEB))
    router.add("GET", f"/containers/{CID}/json", MockResponse.json(WEB))
    router.add("GET", "/containers/nope/json", MockResponse.error(404, "No such container: nope"))
    return router


@pytest.fixture
def transport(router: MockRouter) -> Iterator[MockTransport]:
    transport = MockTransport(router)
    yield transport
    transport.close()


@pytest.fixture
def reader(transport: MockTransport) -> ClientStateReader:
    return ClientStateReader(
        EngineClient("unix:///tmp/test-engine.sock", transport=transport, version="1.47"),
        env={"PATH": os.environ["PATH"]},
    )


def test_missing_objects_are_none_and_other_errors_raise(
    reader: ClientStateReader, router: MockRouter
) -> None:
    assert reader.container("web") == WEB
    assert reader.container("nope") is None
    router.add("GET", "/images/busybox/json", MockResponse.error(500, "store is broken"))
    with pytest.raises(EngineError, match="store is broken"):
        reader.image("busybox")


def test_volumes_and_networks_through_the_generic_calls(
    reader: ClientStateReader, router: MockRouter, transport: MockTransport
) -> None:
    router.add("GET", "/volumes", MockResponse.json({"Volumes": [{"Name": "data"}], "Warnings": None}))
    router.add("GET", "/volumes/data", MockResponse.json({"Name": "data", "Driver": "local"}))
    router.add("GET", "/volumes/gone", MockResponse.error(404, "get gone: no such volume"))
    router.add("GET", "/networks", MockResponse.json([{"Name": "bridge", "Id": "n1"}]))
    assert reader.volumes() == [{"Name": "data"}]
    assert reader.volume("data") == {"Name": "data", "Driver": "local"}
    assert reader.volume("gone") is None
    assert reader.networks() == [{"Name": "bridge", "Id": "n1"}]
    assert "GET /volumes/data" in transport.routes()


def _tar(name: str, data: bytes, mode: int) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        info = tarfile.TarInfo(name)
        info.size, info.mode = len(data), mode
        tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def test_read_file_through_the_archive_api(
    reader: ClientStateReader, router: MockRouter, transport: MockTransport
) -> None:
    header = encode_path_stat(PathStat("note", 3, 0o640, "2024-01-01T00:00:00Z"))
    router.add(
        "GET",
        "/containers/web/archive",
        lambda req: (
            MockResponse(200, _tar("note", b"hi\n", 0o640), {"X-Docker-Container-Path-Stat": header})
            if req.query.get("path") == "/tmp/note"
            else MockResponse.error(404, "Could not find the file")
        ),
    )
    found = reader.read_file("web", "/tmp/note")
    assert found is not None and (found.kind, found.mode, found.content) == ("file", 0o640, b"hi\n")
    assert reader.read_file("web", "/tmp/other") is None
    with pytest.raises(EngineError):
        reader.read_file("nope", "/tmp/note")  # the container itself is missing: not "no such file"


def test_exec_collects_output_and_the_exit_code(
    reader: ClientStateReader, router: MockRouter, transport: MockTransport
) -> None:
    def serve(sock: socket.socket) -> None:
        sock.sendall(encode_frame(1, b"hello\n") + encode_frame(2, b"warn\n"))

    router.add("POST", "/containers/web/exec", MockResponse.json({"Id": "e1"}, status=201))
    router.add("POST", "/exec/e1/start", MockResponse.hijacked(serve))
    router.add("GET", "/exec/e1/json", MockResponse.json({"ExitCode": 2, "Running": False}))
    result = reader.exec("web", ["sh", "-c", "echo hello; exit 2"])
    assert (result.code, result.output) == (2, "hello\nwarn\n")
    create = next(r for r in transport.requests if r.route.endswith("/exec"))
    assert isinstance(create, Request) and create.json()["Cmd"] == ["sh", "-c", "echo hello; exit 2"]  # type: ignore[index]


def test_logs_are_demultiplexed(reader: ClientStateReader, router: MockRouter) -> None:
    router.add(
        "GET",
        "/containers/web/logs",
        MockResponse(200, encode_frame(1, b"Hello ") + encode_frame(2, b"world\n")),
    )
    assert reader.logs("web") == "Hello world\n"


def test_namespaces_from_the_engine_or_from_proc(reader: ClientStateReader, router: MockRouter) -> None:
    router.add(
        "GET",
        f"/sandbox/containers/{CID}/namespaces",
        MockResponse.json({"host": {"pid": 1}, "container": {"pid": 2}}),
    )
    assert reader.namespaces("web") == {"host": {"pid": 1}, "container": {"pid": 2}}
    # An engine without the endpoint (dockerd): read /proc of the container's process.
    router.add("GET", f"/sandbox/containers/{CID}/namespaces", MockResponse.error(404, "page not found"))
    found = reader.namespaces("web")
    own = os.readlink("/proc/self/ns/net").split("[")[1].rstrip("]")
    assert found["container"]["net"] == int(own)  # WEB's pid is this test process
    assert "net" in found["shared"]


def test_cgroup_from_the_engine_or_from_stats(
    reader: ClientStateReader, router: MockRouter, transport: MockTransport
) -> None:
    router.add("GET", f"/sandbox/containers/{CID}/cgroup", MockResponse.error(404, "page not found"))
    router.add(
        "GET",
        f"/containers/{CID}/stats",
        MockResponse.json(
            {
                "memory_stats": {"usage": 5 << 20, "limit": 64 << 20},
                "pids_stats": {"current": 3},
                "cpu_stats": {"cpu_usage": {"total_usage": 123}},
            }
        ),
    )
    stats = reader.cgroup("web")["stats"]
    assert stats == {
        "memory_usage": 5 << 20,
        "memory_limit": 64 << 20,
        "oom_kills": 0,
        "cpu_usage_ns": 123,
        "pids_current": 3,
        "pids_limit": 20,
    }
    stats_request = next(r for r in transport.requests if r.route.endswith("/stats"))
    assert stats_request.query["stream"] == "0"


def test_events_are_read_between_two_times(
    reader: ClientStateReader, router: MockRouter, transport: MockTransport
) -> None:
    router.add(
        "GET",
        "/events",
        MockResponse.ndjson(
            [{"Type": "container", "Action": "die"}, {"Type": "container", "Action": "destroy"}]
        ),
    )
    events = reader.events(100.5, 200.25, {"type": ["container"]})
    assert [e["Action"] for e in events] == ["die", "destroy"]
    query = transport.requests[-1].query
    assert query["since"] == "100.5" and query["until"] == "200.25"
    assert query["filters"] == '{"type":{"container":true}}'


def test_removals_send_what_docker_sends(
    reader: ClientStateReader, router: MockRouter, transport: MockTransport
) -> None:
    router.add("DELETE", f"/containers/{CID}", MockResponse(204))
    router.add("DELETE", "/images/built:1", MockResponse.json([{"Deleted": "sha256:abc"}]))
    router.add("POST", "/images/sha256:abc/tag", MockResponse(201))
    router.add("DELETE", "/volumes/data", MockResponse(204))
    router.add("DELETE", "/networks/n1", MockResponse(204))
    reader.remove_container(CID)
    reader.remove_image("built:1", force=True)
    reader.tag_image("sha256:abc", "localhost:5000/app:1")
    reader.remove_volume("data")
    reader.remove_network("n1")
    sent = [(r.method, r.route.split("/", 2)[2], r.query) for r in transport.requests]
    assert sent == [
        ("DELETE", f"containers/{CID}", {"force": "1", "v": "1"}),
        ("DELETE", "images/built:1", {"force": "1"}),
        ("POST", "images/sha256:abc/tag", {"repo": "localhost:5000/app", "tag": "1"}),
        ("DELETE", "volumes/data", {}),
        ("DELETE", "networks/n1", {}),
    ]


def test_split_ref() -> None:
    assert _split_ref("busybox:1") == ("busybox", "1")
    assert _split_ref("localhost:5000/app") == ("localhost:5000/app", None)
    assert _split_ref("localhost:5000/app:2") == ("localhost:5000/app", "2")


def test_run_host_points_docker_at_the_same_engine(reader: ClientStateReader, tmp_path: Path) -> None:
    result = reader.run_host('echo "$DOCKER_HOST"; pwd; exit 3', cwd=tmp_path)
    assert result.code == 3
    assert result.output.splitlines() == ["unix:///tmp/test-engine.sock", str(tmp_path)]


class _Page(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/away":
            self.send_response(302)
            self.send_header("Location", "http://192.0.2.1/elsewhere")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = b"<h1>It works</h1>" if self.path == "/" else b"missing"
        self.send_response(200 if self.path == "/" else 404)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass  # keep test output clean


def test_http_get_on_loopback_only(reader: ClientStateReader) -> None:
    server = http.server.HTTPServer(("127.0.0.1", 0), _Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        ok = reader.http_get(base + "/")
        assert (ok.status, ok.body, ok.error) == (200, b"<h1>It works</h1>", "")
        assert reader.http_get(base + "/nope").status == 404
        assert reader.http_get(base + "/away").status == 302  # reported, never followed off the machine
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
    refused = reader.http_get(base + "/")  # nothing listens any more
    assert refused.status == 0 and refused.error
    with pytest.raises(HostRefused):
        reader.http_get("http://192.0.2.1/")


def test_an_engine_without_volume_or_network_apis_has_none(reader: ClientStateReader) -> None:
    assert reader.volumes() == [] and reader.networks() == []  # the mock answers 404 page not found
    assert reader.volume("data") is None and reader.network("appnet") is None
