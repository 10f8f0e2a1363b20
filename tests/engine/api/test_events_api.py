"""GET /events and GET /sandbox/trace: live, filtered, replayed, bounded in time."""

from __future__ import annotations

import json
import time

from sandbox.linux.trace import Tracer

from ..conftest import Api


def _now() -> str:
    ns = time.time_ns()
    return f"{ns // 10**9}.{ns % 10**9:09d}"


def test_live_events_with_a_filter(api: Api) -> None:
    with api.client.stream("GET", "/events", query={"filters": json.dumps({"type": {"image": True}})}) as s:
        assert s.status == 200 and s.headers.get("Content-Type") == "application/json"
        api.events.emit("container", "start", "c1", {"name": "web"})
        api.client.post("/images/busybox/tag", query={"repo": "me/app", "tag": "v1"})
        doc = s.json_line()
    assert doc["Type"] == "image" and doc["Action"] == "tag" and doc["Actor"]["Attributes"]["name"] == "me/app:v1"
    assert doc["status"] == "tag" and doc["id"] == api.store.image("busybox").id


def test_until_in_the_past_replays_and_ends(api: Api) -> None:
    api.events.emit("container", "create", "c1", {"name": "one", "image": "busybox"})
    api.events.emit("container", "start", "c1", {"name": "one", "image": "busybox"})
    api.events.emit("container", "start", "c2", {"name": "two", "image": "busybox"})
    r = api.client.get("/events", query={"since": "0", "until": _now()})
    assert [(d["Action"], d["Actor"]["ID"]) for d in map(json.loads, r.body.splitlines())] == [
        ("create", "c1"), ("start", "c1"), ("start", "c2")]
    r = api.client.get("/events", query={"since": "0", "until": _now(),
                                         "filters": json.dumps({"container": {"two": True}})})
    assert [json.loads(x)["Actor"]["ID"] for x in r.body.splitlines()] == ["c2"]
    r = api.client.get("/events", query={"since": "0", "until": _now(),
                                         "filters": json.dumps({"event": ["create"]})})
    assert [json.loads(x)["Action"] for x in r.body.splitlines()] == ["create"]


def test_since_skips_what_came_before(api: Api) -> None:
    api.events.emit("container", "start", "early")
    mark = _now()
    api.events.emit("container", "start", "late")
    r = api.client.get("/events", query={"since": mark, "until": _now()})
    assert [json.loads(x)["Actor"]["ID"] for x in r.body.splitlines()] == ["late"]


def test_until_in_the_future_follows_then_ends(api: Api) -> None:
    soon = time.time() + 0.5
    with api.client.stream("GET", "/events", query={"until": f"{soon:.9f}"}) as s:
        api.events.emit("container", "start", "live")
        assert s.json_line()["Actor"]["ID"] == "live"
        assert s.line(timeout=10) is None  # the stream ends by itself at ``until``


def test_bad_times_are_400(api: Api) -> None:
    r = api.client.get("/events", query={"since": "later"})
    assert r.status == 400 and "since" in r.json()["message"]
    r = api.client.get("/events", query={"since": "200", "until": "100"})
    assert r.status == 400 and "cannot be after" in r.json()["message"]
    r = api.client.get("/events", query={"filters": "{not json"})
    assert r.status == 400


def test_trace_streams_runtime_records(api: Api) -> None:
    tracer = Tracer(api.trace.sink)
    tracer.emit("mount", source="overlay", target="/rootfs")
    with api.client.stream("GET", "/sandbox/trace", query={"tail": 5, "op": "cgroup"}) as s:
        tracer.emit("unshare", flags="CLONE_NEWPID")
        tracer.emit("cgroup.write", file="memory.max", value="67108864")
        doc = s.json_line()
    assert doc["op"] == "cgroup.write" and doc["args"] == {"file": "memory.max", "value": "67108864"}
    with api.client.stream("GET", "/sandbox/trace", query={"tail": 5}) as s:
        assert [s.json_line()["op"] for _ in range(3)] == ["mount", "unshare", "cgroup.write"]
