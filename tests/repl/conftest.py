"""A fake engine (the client's mock transport with a little state) and a shell built on
it, fed by a pipe and printing into one transcript."""

from __future__ import annotations

import io
import json
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from sandbox.client import EngineClient, MockResponse, MockRouter, MockTransport, Request
from tests.tui.real_engine import busybox_overlay_store, real_engine  # noqa: F401  (fixtures for root e2e tests)


@pytest.fixture(autouse=True)
def _python_handles_ctrl_c() -> Iterator[None]:
    """Ctrl-C in these tests is ``_thread.interrupt_main()``, which only works while SIGINT
    has Python's own handler. A test run started in the background (``cmd &`` in a shell
    without job control, or under nohup) begins with SIGINT ignored, Python then installs
    no handler, and the simulated Ctrl-C is silently dropped."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)

DATA = Path(__file__).parent / "data"
CID = "1303eceb3fcf8dea8843f6c0e5d1e6702af17399bbadac8a3157e749fe3d36c2"


def load(name: str) -> Any:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


@dataclass
class FakeEngine:
    """Containers and images in memory behind a MockRouter: enough for ps, run -d, rm,
    images, inspect and the /sandbox picture endpoints."""

    router: MockRouter = field(default_factory=lambda: MockRouter(api_version="1.47"))
    containers: dict[str, dict[str, Any]] = field(default_factory=dict)
    images: dict[str, dict[str, Any]] = field(default_factory=dict)
    deleted: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        web = load("image-web.json")
        self.images[web["Id"]] = {"Id": web["Id"], "RepoTags": ["web:1"], "Created": 1795631463, "Size": web["Size"]}
        r = self.router
        r.add("GET", "/version", MockResponse.json({"Version": "0.1.0", "ApiVersion": "1.47"}))
        r.add("GET", "/containers/json", self._list)
        r.add("POST", "/containers/create", self._create)
        r.add("POST", r"/containers/[^/]+/wait", MockResponse.json({"StatusCode": 0, "Error": None}))
        r.add("POST", r"/containers/[^/]+/start", self._start)
        r.add("DELETE", r"/containers/[^/]+", self._remove)
        r.add("GET", r"/containers/[^/]+/json", self._inspect)
        r.add("GET", r"/containers/[^/]+/changes", MockResponse.json(load("changes-web.json")))
        r.add("GET", "/images/json", lambda req: MockResponse.json(list(self.images.values())))
        r.add("GET", r"/images/[^/]+/json", MockResponse.error(404, "No such image"))  # later routes win
        r.add("GET", r"/images/web:1/json", MockResponse.json(web))
        r.add("GET", r"/images/sha256:[0-9a-f]+/json", MockResponse.json(web))
        r.add("GET", r"/images/(web:1|sha256:[0-9a-f]+)/history", MockResponse.json(load("history-web.json")))
        r.add("GET", "/volumes", MockResponse.json({"Volumes": [{"Name": "data"}], "Warnings": None}))
        r.add("GET", "/networks", MockResponse.json([{"Id": "n" * 64, "Name": "bridge"}, {"Id": "a" * 64, "Name": "app"}]))
        r.add("GET", r"/sandbox/containers/web/namespaces", MockResponse.json(load("namespaces-web.json")))
        r.add("GET", r"/sandbox/containers/web/cgroup", MockResponse.json(load("cgroup-web.json")))
        r.add("GET", r"/sandbox/networks/app/topology", MockResponse.json(load("topology-app.json")))
        r.add("GET", r"/sandbox/containers/ghost/namespaces", MockResponse.error(404, "No such container: ghost"))

    def add_container(self, name: str, cid: str = CID, state: str = "running") -> None:
        self.containers[cid] = {"Id": cid, "Names": [f"/{name}"], "Image": "web:1", "ImageID": next(iter(self.images)),
                                "Command": "httpd -f", "Created": int(time.time()) - 60, "State": state,
                                "Status": "Up About a minute" if state == "running" else "Exited (0) 1 second ago",
                                "Ports": [], "Labels": {}}

    def _find(self, ref: str) -> dict[str, Any] | None:
        for c in self.containers.values():
            if c["Id"].startswith(ref) or c["Names"][0] == "/" + ref:
                return c
        return None

    def _list(self, req: Request) -> MockResponse:
        items = list(self.containers.values())
        if req.query.get("all") not in ("1", "true", "True"):
            items = [c for c in items if c["State"] == "running"]
        return MockResponse.json(items)

    def _create(self, req: Request) -> MockResponse:
        name = req.query.get("name") or "quirky_euler"
        cid = f"{len(self.containers) + 1:064x}"
        self.add_container(name, cid, state="created")
        return MockResponse.json({"Id": cid, "Warnings": []}, status=201)

    def _start(self, req: Request) -> MockResponse:
        c = self._find(req.route.split("/")[-2])
        if c is None:
            return MockResponse.error(404, "No such container")
        c["State"], c["Status"] = "running", "Up 1 second"
        return MockResponse(204)

    def _remove(self, req: Request) -> MockResponse:
        c = self._find(req.route.split("/")[-1])
        if c is None:
            return MockResponse.error(404, f"No such container: {req.route.split('/')[-1]}")
        del self.containers[c["Id"]]
        self.deleted.append(c["Id"])
        return MockResponse(204)

    def _inspect(self, req: Request) -> MockResponse:
        c = self._find(req.route.split("/")[-2])
        if c is None:
            return MockResponse.error(404, f"No such container: {req.route.split('/')[-2]}")
        doc = load("container-web.json")
        doc.update({"Id": c["Id"], "Name": c["Names"][0]})
        return MockResponse.json(doc)


@pytest.fixture
def engine() -> FakeEngine:
    return FakeEngine()


@pytest.fixture
def client(engine: FakeEngine) -> Iterator[EngineClient]:
    transport = MockTransport(engine.router)
    c = EngineClient("unix:///fake/engine.sock", transport=transport)
    yield c
    c.close()


@dataclass
class ShellRun:
    transcript: str
    code: int
    built: Any


def run_shell(engine: FakeEngine, text: str, tmp_path: Path, **parts: Any) -> ShellRun:
    """Type ``text`` into a fresh shell on ``engine`` until the input ends."""
    from prompt_toolkit.history import InMemoryHistory
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput
    from prompt_toolkit.output.plain_text import PlainTextOutput

    from sandbox.repl.app import Parts, build

    out = io.StringIO()
    client = EngineClient("unix:///fake/engine.sock", transport=MockTransport(engine.router))
    with create_pipe_input() as pipe:
        pipe.send_text(text)
        # The end of the input is Ctrl-D: the last prompt gets EOFError and the shell ends.
        pipe.send_text("\x04")
        built = build(Parts(env={"HOME": str(tmp_path), "TZ": "UTC"}, stdout=out, stderr=out,
                            stdin=io.StringIO(""), input=pipe, output=DummyOutput(),
                            console_output=PlainTextOutput(out), client=client, background_client=client,
                            history=InMemoryHistory(), poll=False, **parts))
        try:
            code = built.shell.run()
        finally:
            built.close()
    return ShellRun(out.getvalue(), code, built)

