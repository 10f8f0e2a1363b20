"""The plain container routes over a real container service: statuses, bodies, 304s."""

from __future__ import annotations

import time
from typing import Any

import pytest

from ..conftest import ContainerApi

pytestmark = pytest.mark.root


def create(api: ContainerApi, cmd: list[str], name: str | None = None, **config: Any) -> str:
    r = api.client.post("/v1.47/containers/create", query={"name": name} if name else None,
                        json={"Image": "busybox", "Cmd": cmd, **config})
    assert r.status == 201, r.body
    assert set(r.json()) == {"Id", "Warnings"} and r.json()["Warnings"] == []
    return r.json()["Id"]


def status_of(api: ContainerApi, ref: str) -> str:
    return api.client.get(f"/containers/{ref}/json").json()["State"]["Status"]


def test_create_list_inspect(container_api: ContainerApi) -> None:
    api = container_api
    cid = create(api, ["sleep", "60"], "alpha")
    assert api.client.get("/containers/json").json() == []  # created, not running
    listed = api.client.get("/containers/json", query={"all": "1"}).json()
    assert [(c["Id"], c["Names"], c["State"]) for c in listed] == [(cid, ["/alpha"], "created")]
    doc = api.client.get("/containers/alpha/json").json()
    assert doc["Id"] == cid and doc["Name"] == "/alpha" and doc["Config"]["Cmd"] == ["sleep", "60"]
    assert api.client.get(f"/containers/{cid[:8]}/json").json()["Id"] == cid  # an id prefix
    missing = api.client.get("/containers/nope/json")
    assert missing.status == 404 and missing.json()["message"] == "No such container: nope"


def test_start_and_stop_answer_304_when_nothing_changes(container_api: ContainerApi) -> None:
    api = container_api
    create(api, ["sleep", "60"], "svc")
    assert api.client.post("/containers/svc/start").status == 204
    again = api.client.post("/containers/svc/start")
    assert again.status == 304 and again.body == b""
    assert api.client.post("/containers/svc/stop", query={"t": "1"}).status == 204
    assert status_of(api, "svc") == "exited"
    assert api.client.post("/containers/svc/stop").status == 304
    assert api.client.post("/containers/svc/kill").status == 409  # not running
    bad_t = api.client.post("/containers/svc/stop", query={"t": "soon"})
    assert bad_t.status == 400 and "not an integer" in bad_t.json()["message"]


def test_kill_pause_unpause_restart(container_api: ContainerApi) -> None:
    api = container_api
    create(api, ["sleep", "60"], "life")
    api.client.post("/containers/life/start")
    assert api.client.post("/containers/life/pause").status == 204
    assert status_of(api, "life") == "paused"
    assert api.client.post("/containers/life/unpause").status == 204
    pid = api.client.get("/containers/life/json").json()["State"]["Pid"]
    assert api.client.post("/containers/life/restart", query={"t": "0"}).status == 204
    doc = api.client.get("/containers/life/json").json()
    assert doc["State"]["Status"] == "running" and doc["State"]["Pid"] != pid
    assert api.client.post("/containers/life/kill", query={"signal": "NOPE"}).status == 400
    assert api.client.post("/containers/life/kill", query={"signal": "TERM"}).status == 204


def test_rename_update_resize_remove(container_api: ContainerApi) -> None:
    api = container_api
    cid = create(api, ["sleep", "60"], "old")
    assert api.client.post(f"/containers/{cid}/rename", query={"name": "new"}).status == 204
    assert api.client.get("/containers/new/json").json()["Id"] == cid
    assert api.client.post(f"/containers/{cid}/rename").status == 400  # no name
    r = api.client.post("/containers/new/update", json={"Memory": 64 << 20})
    assert r.status == 200 and "Warnings" in r.json()
    assert api.client.get("/containers/new/json").json()["HostConfig"]["Memory"] == 64 << 20
    assert api.client.post("/containers/new/resize", query={"h": "10", "w": "20"}).status == 409  # no tty
    assert api.client.delete("/containers/new", query={"link": "1"}).status == 400
    assert api.client.delete("/containers/new").status == 204
    assert api.client.get("/containers/new/json").status == 404


def test_remove_a_running_container_needs_force(container_api: ContainerApi) -> None:
    api = container_api
    create(api, ["sleep", "60"], "busy")
    api.client.post("/containers/busy/start")
    refused = api.client.delete("/containers/busy")
    assert refused.status == 409 and "force" in refused.json()["message"].lower()
    assert api.client.delete("/containers/busy", query={"force": "True", "v": "False"}).status == 204


def test_list_filters_limit_and_prune(container_api: ContainerApi) -> None:
    api = container_api
    done = create(api, ["true"], "done", Labels={"tier": "batch"})
    api.client.post("/containers/done/start")
    assert api.client.post("/containers/done/wait").json()["StatusCode"] == 0
    up = create(api, ["sleep", "60"], "up")
    api.client.post("/containers/up/start")
    running = api.client.get("/containers/json").json()
    assert [c["Id"] for c in running] == [up]
    exited = api.client.get("/containers/json", query={"filters": '{"status":{"exited":true}}'}).json()
    assert [c["Id"] for c in exited] == [done]
    labelled = api.client.get("/containers/json", query={"all": "1", "filters": '{"label":["tier=batch"]}'})
    assert [c["Id"] for c in labelled.json()] == [done]
    assert len(api.client.get("/containers/json", query={"limit": "1"}).json()) == 1
    bad = api.client.get("/containers/json", query={"filters": '{"colour":["red"]}'})
    assert bad.status == 400
    pruned = api.client.post("/containers/prune").json()
    assert pruned["ContainersDeleted"] == [done]
    assert [c["Id"] for c in api.client.get("/containers/json", query={"all": "1"}).json()] == [up]


def test_top_and_changes(container_api: ContainerApi) -> None:
    api = container_api
    create(api, ["sh", "-c", "mkdir /made && sleep 60"], "topped")
    assert api.client.get("/containers/topped/top").status == 409  # not running yet
    api.client.post("/containers/topped/start")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        changes = api.client.get("/containers/topped/changes").json()
        if changes and {"Path": "/made", "Kind": 1} in changes:
            break
        time.sleep(0.02)
    assert {"Path": "/made", "Kind": 1} in changes
    top = api.client.get("/containers/topped/top").json()
    assert top["Titles"][:3] == ["UID", "PID", "PPID"]
    assert any("sleep 60" in row[-1] for row in top["Processes"])
    ps = api.client.get("/containers/topped/top", query={"ps_args": "-o pid,comm"}).json()
    assert ps["Titles"] == ["PID", "COMMAND"]


def test_a_container_with_no_changes_answers_null(container_api: ContainerApi) -> None:
    api = container_api
    create(api, ["true"], "clean")
    r = api.client.get("/containers/clean/changes")
    assert r.status == 200 and r.body == b"null\n"
