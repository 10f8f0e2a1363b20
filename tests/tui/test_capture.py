"""The fixture capture script, run against a private real engine: it writes every fixture
the TUI's tests read, free of this machine's paths, and leaves the engine as it found it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from sandbox.client import EngineClient
from sandbox.tui.backend.fake import FakeBackend
from sandbox.tui.pictures.models import cgroups as cg
from sandbox.tui.pictures.models.layers import build_stack

from .fixtures import capture
from .real_engine import RealEngine, engine_env

pytestmark = pytest.mark.root

FIXTURES = Path(__file__).parent / "fixtures"


def test_capture_writes_every_fixture_from_the_engine(tmp_path: Path, real_engine: RealEngine, unique: str,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "fixtures"
    out.mkdir()
    shutil.copy(FIXTURES / "lessons.json", out)
    shutil.copy(FIXTURES / "commands.json", out)  # the facts it keeps
    monkeypatch.setenv("DOCKER_HOST", real_engine.docker_host)
    env = engine_env(unique)
    subnet = env["SANDBOX_BRIDGE_SUBNET"].rsplit(".", 2)[0] + "."
    assert capture.main(["--out", str(out), "--scrub", f"{env['SANDBOX_BRIDGE']}=sandbox0",
                         "--scrub", f"{subnet}=10.213.0."]) == 0

    # engine.json and lessons.json are the fake's own (its status line, a made-up course).
    expected = {p.relative_to(FIXTURES) for p in FIXTURES.rglob("*.json")} - {Path("engine.json")}
    written = {p.relative_to(out) for p in out.rglob("*.json")}
    assert expected <= written, sorted(map(str, expected - written))
    text = "".join(p.read_text() for p in out.rglob("*.json"))
    for machine in (str(tmp_path), str(real_engine.run_dir), unique, env["SANDBOX_BRIDGE"]):
        assert machine not in text

    fake = FakeBackend(out)
    stack = build_stack("hello:1", fake.image("hello:1"), fake.layer_files("hello:1"), "edit",
                        fake.changes("edit"), "/etc/passwd")
    assert stack.origin is not None and (stack.origin.state, stack.origin.layer) == ("copy-up", 1)
    before, after = json.loads((out / "cgroup" / "oomer.json").read_text())["samples"]
    assert cg.derive("oomer", cg.parse_sample(after, 2.0), cg.parse_sample(before, 1.0)).oom_new == 1
    assert fake.container("oomed")["State"]["OOMKilled"] is True
    assert fake.topology("app")["endpoints"][0]["container_name"] == "api"
    commands = json.loads((out / "commands.json").read_text())["commands"]
    assert any(c.get("facts") == ["container:web:running"] and c.get("trace") == "trace/run-web.json"
               for c in commands)

    with EngineClient(real_engine.docker_host) as client:  # as it was: busybox, nothing else
        assert client.containers.list(all=True) == []
        assert [t for i in client.images.list() for t in i.get("RepoTags") or []] == ["busybox:latest"]
        assert {n["Name"] for n in client.networks.list()} == {"bridge", "host", "none"}
