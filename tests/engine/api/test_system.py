"""/_ping, /version, /info and /system/df over a real store."""

from __future__ import annotations

import os
from typing import Any

from sandbox.config import Settings
from sandbox.engine.api import build_app
from sandbox.engine.http.testing import TestClient
from sandbox.storage import Store

from ..conftest import Api

PING_HEADERS = {
    "Api-Version": "1.47", "Builder-Version": "1", "Docker-Experimental": "false", "Ostype": "linux",
    "Swarm": "inactive", "Cache-Control": "no-cache, no-store, must-revalidate", "Pragma": "no-cache",
    "Content-Type": "text/plain; charset=utf-8",
}


def test_ping_get_and_head(api: Api) -> None:
    for method, body in (("GET", b"OK"), ("HEAD", b"")):
        r = api.client.request(method, "/_ping")
        assert r.status == 200 and r.body == body
        for name, value in PING_HEADERS.items():
            assert r.headers.get(name) == value, name
    assert api.client.head("/_ping").headers.get("Content-Length") == "0"
    assert api.client.get("/v1.41/_ping").text == "OK"


def test_ping_with_a_too_new_version_still_tells_the_version(api: Api) -> None:
    r = api.client.get("/v1.99/_ping")
    assert r.status == 400 and r.headers.get("Api-Version") == "1.47"


def test_version(api: Api) -> None:
    v = api.client.get("/version").json()
    assert v["ApiVersion"] == "1.47" and v["MinAPIVersion"] == "1.24" and v["Os"] == "linux"
    assert v["Version"] == "0.1.0" and v["KernelVersion"] == os.uname().release
    assert v["GoVersion"].startswith("python3.") and v["Arch"] in ("amd64", "arm64", os.uname().machine)
    engine = v["Components"][0]
    assert engine["Name"] == "Engine" and engine["Details"]["ApiVersion"] == "1.47"
    assert v["Platform"]["Name"]


def test_info_counts_images_and_reads_the_host(api: Api) -> None:
    info = api.client.get("/info").json()
    assert info["Images"] == 1 and info["Containers"] == 0 and info["ContainersRunning"] == 0
    assert info["Driver"] == "copy" and info["DockerRootDir"] == str(api.settings.root)
    assert info["CgroupDriver"] == "cgroupfs" and info["CgroupVersion"] in ("1", "2")
    assert info["NCPU"] == os.cpu_count() and info["MemTotal"] > 0 and info["OSType"] == "linux"
    assert info["KernelVersion"] == os.uname().release and info["OperatingSystem"]
    assert info["Swarm"]["LocalNodeState"] == "inactive"
    assert info["ID"] == api.client.get("/info").json()["ID"]  # stable


class _Containers:
    def __init__(self, states: list[str]) -> None:
        self.states = states

    def list(self, all: bool = False) -> list[dict[str, Any]]:
        assert all, "info must count stopped containers too"
        return [{"Id": str(i), "State": s, "ImageID": "", "SizeRw": 0} for i, s in enumerate(self.states)]


def test_info_counts_containers_from_the_service(settings: Settings, store: Store) -> None:
    states = ["running", "running", "paused", "exited", "created"]
    app = build_app(settings, store=store, containers=_Containers(states))
    with TestClient(app) as client:
        info = client.get("/info").json()
        df = client.get("/system/df").json()
    assert (info["Containers"], info["ContainersRunning"], info["ContainersPaused"],
            info["ContainersStopped"]) == (5, 2, 1, 2)
    assert len(df["Containers"]) == 5


def test_system_df(api: Api) -> None:
    df = api.client.get("/system/df").json()
    image = api.store.image("busybox")
    assert df["LayersSize"] == image.size > 0
    assert [i["Id"] for i in df["Images"]] == [image.id]
    assert df["Images"][0]["Containers"] == 0 and df["Images"][0]["SharedSize"] == 0
    assert df["Containers"] == [] and df["Volumes"] == [] and df["BuildCache"] == []


def test_system_df_lists_volumes_with_sizes_and_references(settings: Settings, store: Store, tmp_path) -> None:
    from sandbox.engine.volumes import VolumeService

    volumes = VolumeService(tmp_path / "volumes", users=lambda name: ["c1"] if name == "used" else [])
    volumes.create("used")
    volumes.create("idle")
    (volumes.mountpoint("idle") / "data").write_bytes(b"z" * 300)
    with TestClient(build_app(settings, store=store, volumes=volumes)) as client:
        df = client.get("/system/df").json()
    usage = {v["Name"]: v["UsageData"] for v in df["Volumes"]}
    assert usage == {"used": {"Size": 0, "RefCount": 1}, "idle": {"Size": 300, "RefCount": 0}}
    assert {v["Driver"] for v in df["Volumes"]} == {"local"}
