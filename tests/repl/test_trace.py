"""``explain``: collecting the trace stream around a command, and drawing its records."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from sandbox.errors import EngineError, EngineUnavailable, TraceUnavailable
from sandbox.repl.show.draw import plain
from sandbox.repl.trace import TraceCapture, describe, render, section_of
from tests.repl.conftest import load


def test_capture_collects_until_the_stream_ends() -> None:
    records = load("trace-run.json")
    capture = TraceCapture.open(lambda: iter(records), "unix:///fake")
    assert capture.finish(quiet=10, max_wait=10) == records


def test_capture_stops_taking_records_after_finish() -> None:
    gate = threading.Event()
    first = {"op": "mount", "args": {}}

    def stream() -> Iterator[dict]:
        yield first
        gate.wait(5)
        yield {"op": "late", "args": {}}

    capture = TraceCapture.open(stream, "unix:///fake")
    got = capture.finish(quiet=0.0, max_wait=5)
    gate.set()
    assert first not in got or got == [first]
    assert {"op": "late", "args": {}} not in capture.finish(quiet=0.0, max_wait=0)


def test_an_engine_without_a_trace_stream_is_named() -> None:
    def refuse() -> Iterator[dict]:
        raise EngineError(404, "page not found")

    with pytest.raises(TraceUnavailable, match="this engine has no trace stream") as caught:
        TraceCapture.open(refuse, "unix:///docker.sock")
    assert "dockerd has no trace" in (caught.value.hint or "")


def test_a_missing_engine_is_named() -> None:
    def refuse() -> Iterator[dict]:
        raise EngineUnavailable("unix:///nowhere", "no socket there")

    with pytest.raises(TraceUnavailable, match="no socket there"):
        TraceCapture.open(refuse, "unix:///nowhere")


@pytest.mark.parametrize("op, section", [
    ("unshare", "namespaces"), ("sethostname", "namespaces"), ("cgroup.write", "cgroups"),
    ("mount", "mounts"), ("pivot_root", "mounts"), ("umount2", "mounts"), ("capbset.drop", "security"),
    ("prctl", "security"), ("veth.create", "network"), ("storage.container.create", "storage"),
    ("exec", "process"), ("frobnicate", "other"),
])
def test_sections(op: str, section: str) -> None:
    assert section_of(op) == section


def test_describe_the_records_a_learner_looks_for() -> None:
    records = load("trace-run.json")
    by_op = {r["op"]: describe(r) for r in records}
    assert by_op["unshare"].startswith("unshare(CLONE_NEW")
    assert by_op["exec"] == "execve /bin/sh  argv: sh -c sleep 1000 & sleep 999; wait"
    assert by_op["pivot_root"] == "pivot_root(., .)"
    writes = [describe(r) for r in records if r["op"] == "cgroup.write"]
    assert "write memory.limit_in_bytes = 67108864  (memory/sandbox/replcap)" in writes
    mounts = [describe(r) for r in records if r["op"] == "mount"]
    assert any(m.startswith("mount proc →") and m.endswith("/rootfs/proc") for m in mounts)


def test_render_groups_records_and_marks_failures() -> None:
    records = load("trace-run.json")
    fragments = render(records, command="docker run web", width=100)
    text = plain(fragments)
    assert text.startswith(f"what the engine did for: docker run web  {len(records)} records")
    order = [line.split(" ")[0] for line in text.splitlines() if line and not line.startswith((" ", "what"))]
    assert order == ["namespaces", "cgroups", "mounts", "security", "process"]
    assert "… " in text  # more mounts than one section shows
    assert {style for style, t, *_ in fragments if "!! No such file or directory" in t} == {"class:bad"}


def test_render_without_records_says_why() -> None:
    assert "did not reach the runtime" in plain(render([], command="docker ps"))
