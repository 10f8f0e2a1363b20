"""The real backend over an in-process engine (the client's MockTransport)."""

from __future__ import annotations

import json
import socket
import threading
from pathlib import Path
from typing import Any

import pytest

from sandbox.client import EngineClient, MockResponse, MockRouter, MockTransport
from sandbox.errors import EngineError
from sandbox.tui.backend.client import ClientBackend
from sandbox.tui.backend.streams import LiveStream, wake


def _backend(router: MockRouter, **kwargs: Any) -> tuple[ClientBackend, MockTransport]:
    transport = MockTransport(router)
    return ClientBackend(EngineClient(transport=transport), **kwargs), transport


def test_names_come_from_the_list_endpoints() -> None:
    router = MockRouter()
    router.add("GET", "/containers/json", MockResponse.json([{"Names": ["/web"]}, {"Names": ["/db"]}]))
    router.add("GET", "/images/json", MockResponse.json([{"RepoTags": ["busybox:latest", "<none>:<none>"]}]))
    router.add("GET", "/volumes", MockResponse.json({"Volumes": [{"Name": "data"}], "Warnings": None}))
    router.add("GET", "/networks", MockResponse.error(404, "page not found"))
    backend, transport = _backend(router)
    names = backend.names()
    assert names.containers == ("db", "web") and names.images == ("busybox:latest",)
    assert names.volumes == ("data",) and names.networks == ()
    assert "GET /containers/json" in transport.routes()


def test_picture_endpoints_are_asked_as_the_brief_names_them(fixtures_dir: Path) -> None:
    ns = json.loads((fixtures_dir / "namespaces/web.json").read_text())
    router = MockRouter()
    router.add("GET", "/sandbox/containers/web/namespaces", MockResponse.json(ns))
    router.add("GET", "/sandbox/containers/web/cgroup", MockResponse.json({"stats": {"memory_usage": 1}}))
    router.add("GET", "/sandbox/networks/app/topology", MockResponse.json({"network": {"name": "app"}}))
    router.add("GET", "/images/busybox/json", MockResponse.json({"Id": "sha256:1"}))
    router.add("GET", "/images/busybox/history", MockResponse.json([{"CreatedBy": "x"}]))
    router.add("GET", "/sandbox/images/busybox/layers", MockResponse.json({"layers": [{"files": ["bin/sh"]}]}))
    backend, _ = _backend(router)
    assert backend.namespaces("web")["host"]["pid"] == 4026531836
    assert backend.cgroup("web")["stats"]["memory_usage"] == 1
    assert backend.topology("app")["network"]["name"] == "app"
    assert backend.image("busybox") == {"inspect": {"Id": "sha256:1"}, "history": [{"CreatedBy": "x"}]}
    assert backend.layer_files("busybox") == [{"files": ["bin/sh"]}]


def test_layer_files_are_optional_but_other_errors_are_not() -> None:
    router = MockRouter()
    router.add("GET", "/sandbox/images/a/layers", MockResponse.error(404, "page not found"))
    router.add("GET", "/sandbox/images/b/layers", MockResponse.error(500, "boom"))
    backend, _ = _backend(router)
    assert backend.layer_files("a") is None
    with pytest.raises(EngineError, match="boom"):
        backend.layer_files("b")


def test_run_command_captures_output_and_the_trace() -> None:
    router = MockRouter()
    records = [{"op": "unshare", "args": {"flags": "CLONE_NEWPID"}, "pid": 7, "time": 1.0, "error": None}]
    gate = threading.Event()

    def trace_body() -> Any:
        gate.wait(5)  # the records arrive while the command runs, as with a real engine
        for rec in records:
            yield json.dumps(rec).encode() + b"\n"

    router.add("GET", "/sandbox/trace", MockResponse(200, trace_body(), {"Content-Type": "application/json"}))
    seen: dict[str, Any] = {}

    def docker_main(argv: list[str], client: Any = None, stdout: Any = None, stderr: Any = None,
                    stdin: Any = None, env: Any = None) -> int:
        seen.update(argv=argv, tty=stdout.isatty(), stdin=stdin.read())
        stdout.write("hello\n")
        stderr.write("warn\n")
        gate.set()
        return 3

    backend, _ = _backend(router, docker_main=docker_main)
    chunks: list[str] = []
    result = backend.run_command("docker run --rm busybox echo 'hello'", on_output=chunks.append)
    backend.close()
    assert seen == {"argv": ["run", "--rm", "busybox", "echo", "hello"], "tty": False, "stdin": ""}
    assert (result.exit_code, result.output, chunks) == (3, "hello\nwarn\n", ["hello\n", "warn\n"])
    assert [r.op for r in result.trace] == ["unshare"]


def test_engine_status_names_the_socket_and_what_to_do(tmp_path: Path) -> None:
    backend = ClientBackend(EngineClient(str(tmp_path / "engine.sock")))
    status = backend.engine_status()
    backend.close()
    assert not status.running and "engine.sock" in status.address
    assert "sandbox up" in status.hint
    up, _ = _backend(MockRouter())
    assert up.engine_status().running


def test_closing_a_live_stream_wakes_a_blocked_reader() -> None:
    ours, theirs = socket.socketpair()

    class SocketLines:
        def __iter__(self):  # type: ignore[no-untyped-def]
            while data := ours.recv(100):
                yield {"raw": data.decode()}

        def fileno(self) -> int:
            return ours.fileno()

        def close(self) -> None:
            ours.close()

    stream = LiveStream(SocketLines(), "test")
    got: list[dict] = []
    reader = threading.Thread(target=lambda: got.extend(stream))
    reader.start()
    theirs.sendall(b"x")
    while not got:
        reader.join(0.01)
    stream.close()
    reader.join(timeout=5)
    theirs.close()
    assert not reader.is_alive() and got == [{"raw": "x"}]
    wake(object())  # no socket: nothing to do, no error
