"""ps filters and the inspect/ps shapes, on records made by hand."""

from __future__ import annotations

import pytest

from sandbox.engine.containers import shapes
from sandbox.engine.containers.filters import ListFilter, normalize
from sandbox.engine.containers.record import Record, RunState
from sandbox.errors import InvalidParameter


def _rec(name: str, created: float, state: RunState | None = None, labels: dict | None = None,
         args: list[str] | None = None) -> Record:
    return Record(id=name * 8 + "0" * (64 - 8 * len(name)), name="/" + name, created=created, path="sh",
                  args=args if args is not None else ["-c", "echo a b"], config={"Labels": labels or {},
                                                                                 "Image": "busybox"},
                  host_config={"NetworkMode": "none"}, image_id="sha256:img", driver="overlay", log_path="",
                  hostname_path="", hosts_path="", resolv_conf_path="", state=state or RunState())


def test_normalize_forms() -> None:
    assert normalize({"status": {"running": True, "exited": False}}) == {"status": ["running"]}
    assert normalize({"name": ["a", "b"]}) == {"name": ["a", "b"]}
    with pytest.raises(InvalidParameter):
        normalize([1])


def test_list_filter_matching() -> None:
    created = {"older": 10.0, "newer": 30.0}
    f = ListFilter.compile({"since": ["older"], "before": ["newer"]}, created.__getitem__, lambda r: None)
    assert f.match(_rec("mid", 20.0)) and not f.match(_rec("old", 5.0)) and not f.match(_rec("new", 40.0))
    up = RunState(running=True, started_at=1.0, pid=5)
    down = RunState(started_at=1.0, finished_at=2.0, exit_code=3)
    f = ListFilter.compile({"exited": ["3"], "label": ["a"]}, created.__getitem__, lambda r: None)
    assert f.shows_stopped
    assert f.match(_rec("x1", 1, down, {"a": "1"})) and not f.match(_rec("x2", 1, up, {"a": "1"}))
    assert not f.match(_rec("x3", 1, down))
    f = ListFilter.compile({"ancestor": ["busybox:latest"]}, created.__getitem__, lambda r: "sha256:img")
    assert f.match(_rec("anc", 1))
    with pytest.raises(InvalidParameter, match="invalid filter 'exited=x'"):
        ListFilter.compile({"exited": ["x"]}, created.__getitem__, lambda r: None)


def test_status_words_and_text() -> None:
    now = 100.0
    assert shapes.status_text(_rec("cr", 1), now) == "Created"
    up = _rec("up", 1, RunState(running=True, started_at=97.0))
    assert shapes.status_text(up, now) == "Up 3 seconds" and up.state.status_word() == "running"
    paused = _rec("pa", 1, RunState(running=True, paused=True, started_at=40.0))
    assert shapes.status_text(paused, now) == "Up About a minute (Paused)"
    gone = _rec("ex", 1, RunState(started_at=1.0, finished_at=95.0, exit_code=1))
    assert shapes.status_text(gone, now) == "Exited (1) 5 seconds ago"
    assert gone.state.status_word() == "exited"
    again = _rec("re", 1, RunState(running=True, restarting=True, started_at=1.0, finished_at=99.0,
                                   exit_code=2))
    assert shapes.status_text(again, now) == "Restarting (2) 1 second ago"
    assert again.state.status_word() == "restarting"


def test_command_and_summary() -> None:
    rec = _rec("cmd", 7.9)
    assert shapes.command(rec) == "sh -c 'echo a b'"
    assert shapes.command(_rec("bare", 1, args=[])) == "sh"
    row = shapes.summary(rec, "busybox", 10.0)
    assert row["Created"] == 7 and row["Names"] == ["/cmd"] and row["State"] == "created"
    assert row["NetworkSettings"]["Networks"].keys() == {"none"}
    assert row["HostConfig"] == {"NetworkMode": "none"}
    info = shapes.inspect(rec, None, [])
    assert info["ExecIDs"] is None and info["GraphDriver"] == {"Data": None, "Name": "overlay"}
    assert info["State"]["StartedAt"] == "0001-01-01T00:00:00Z"
