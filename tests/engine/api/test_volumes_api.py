"""The volume routes over a VolumeService in a temporary directory (no root needed)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from sandbox.engine.api import volumes as volume_routes
from sandbox.engine.http import App
from sandbox.engine.http.testing import TestClient
from sandbox.engine.volumes import VolumeService


@dataclass
class VolApi:
    client: TestClient
    service: VolumeService
    in_use: dict[str, list[str]] = field(default_factory=dict)


@pytest.fixture
def vapi(tmp_path: Path) -> Iterator[VolApi]:
    in_use: dict[str, list[str]] = {}
    service = VolumeService(tmp_path / "volumes", users=lambda name: in_use.get(name, []))
    app = App()
    app.include(volume_routes.register, service)
    with TestClient(app) as client:
        yield VolApi(client, service, in_use)


def _filters(**kw: list[str]) -> dict[str, str]:
    return {"filters": json.dumps({k: {v: True for v in vs} for k, vs in kw.items()})}


def test_create_inspect_remove(vapi: VolApi, unique: str) -> None:
    r = vapi.client.post("/v1.47/volumes/create", json={"Driver": "local", "Name": unique,
                                                        "Labels": {"course": "docker"}})
    assert r.status == 201
    vol = r.json()
    assert vol["Name"] == unique and vol["Driver"] == "local" and vol["Labels"] == {"course": "docker"}
    assert Path(vol["Mountpoint"]).is_dir()
    assert vapi.client.get(f"/volumes/{unique}").json()["Mountpoint"] == vol["Mountpoint"]
    assert vapi.client.delete(f"/volumes/{unique}").status == 204
    missing = vapi.client.get(f"/volumes/{unique}")
    assert missing.status == 404 and "no such volume" in missing.json()["message"]


def test_create_without_name_is_anonymous(vapi: VolApi) -> None:
    vol = vapi.client.post("/volumes/create", json={}).json()
    assert len(vol["Name"]) == 64 and vapi.service.is_anonymous(vol["Name"])


@pytest.mark.parametrize("body, status, words", [
    ({"Name": "bad/name"}, 400, "includes invalid characters"),
    ({"Name": "ok", "Driver": "nfs"}, 400, "not supported"),
    ({"Name": "ok", "DriverOpts": {"type": "tmpfs"}}, 400, "driver options are not supported"),
    ({"Name": 5}, 400, "Name"),
    ({"Name": "ok", "Labels": ["a"]}, 400, "Labels"),
])
def test_create_refuses_bad_input(vapi: VolApi, body: dict, status: int, words: str) -> None:
    r = vapi.client.post("/volumes/create", json=body)
    assert r.status == status and words in r.json()["message"]


def test_remove_in_use_is_409_and_keeps_it(vapi: VolApi, unique: str) -> None:
    vapi.client.post("/volumes/create", json={"Name": unique})
    vapi.in_use[unique] = ["c" * 64]
    r = vapi.client.delete(f"/volumes/{unique}")
    assert r.status == 409 and "volume is in use" in r.json()["message"]
    assert vapi.client.get(f"/volumes/{unique}").status == 200


def test_remove_missing_with_force_succeeds(vapi: VolApi) -> None:
    assert vapi.client.delete("/volumes/nothere").status == 404
    assert vapi.client.delete("/volumes/nothere", query={"force": "1"}).status == 204


def test_list_filters(vapi: VolApi, unique: str) -> None:
    vapi.client.post("/volumes/create", json={"Name": unique + "a", "Labels": {"k": "v"}})
    vapi.client.post("/volumes/create", json={"Name": unique + "b"})
    vapi.in_use[unique + "b"] = ["c" * 64]
    listed = vapi.client.get("/volumes").json()
    assert sorted(v["Name"] for v in listed["Volumes"]) == [unique + "a", unique + "b"]
    assert listed["Warnings"] is None
    by_label = vapi.client.get("/volumes", query=_filters(label=["k=v"])).json()["Volumes"]
    assert [v["Name"] for v in by_label] == [unique + "a"]
    dangling = vapi.client.get("/volumes", query=_filters(dangling=["true"])).json()["Volumes"]
    assert [v["Name"] for v in dangling] == [unique + "a"]
    bad = vapi.client.get("/volumes", query=_filters(color=["red"]))
    assert bad.status == 400 and "invalid filter 'color'" in bad.json()["message"]


def test_prune_takes_unused_anonymous_only_unless_all(vapi: VolApi, unique: str) -> None:
    anon = vapi.client.post("/volumes/create", json={}).json()["Name"]
    vapi.client.post("/volumes/create", json={"Name": unique})
    first = vapi.client.post("/volumes/prune").json()
    assert first["VolumesDeleted"] == [anon]
    assert vapi.client.post("/volumes/prune").json()["VolumesDeleted"] is None
    vapi.in_use[unique] = ["c" * 64]
    assert vapi.client.post("/volumes/prune", query=_filters(all=["true"])).json()["VolumesDeleted"] is None
    vapi.in_use.clear()
    assert vapi.client.post("/volumes/prune", query=_filters(all=["true"])).json()["VolumesDeleted"] == [unique]
