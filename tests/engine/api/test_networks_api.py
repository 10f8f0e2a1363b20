"""The network routes over a NetworkManager with in-memory links (no root, no kernel)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from sandbox.engine.api import networks as network_routes
from sandbox.engine.http import App
from sandbox.engine.http.testing import TestClient
from sandbox.errors import NetworkModeConflict
from sandbox.network import NetworkManager, NetworkOptions
from sandbox.network.fake import FakeLinks
from sandbox.network.links import Route


@dataclass
class FakeContainers:
    """Records connect/disconnect calls; ``host_mode`` names containers in host mode."""

    calls: list[tuple[str, str, str, Any]] = field(default_factory=list)
    host_mode: set[str] = field(default_factory=set)

    def connect_network(self, ref: str, network: str, endpoint: dict[str, Any] | None = None) -> None:
        if ref in self.host_mode:
            raise NetworkModeConflict(ref, "host", "container cannot be disconnected from host network or "
                                                   "connected to host network")
        self.calls.append(("connect", ref, network, endpoint))

    def disconnect_network(self, ref: str, network: str, force: bool = False) -> None:
        self.calls.append(("disconnect", ref, network, force))


@dataclass
class NetApi:
    client: TestClient
    manager: NetworkManager
    containers: FakeContainers


@pytest.fixture
def napi(tmp_path: Path, unique: str) -> Iterator[NetApi]:
    tag = "sbt" + unique[1:6]
    links = FakeLinks(routes=[Route("192.0.2.0/24", "eth0")])
    options = NetworkOptions(default_bridge=tag + "d0", default_subnet="10.213.0.0/24", pool="10.214.0.0/16",
                             bridge_prefix=tag + "b", veth_prefix=tag + "v")
    manager = NetworkManager(tmp_path / "net", options=options, links=links)
    containers = FakeContainers(host_mode={"hosty"})
    app = App()
    app.include(network_routes.register, network_routes.NetworkApi(manager, containers))
    try:
        with TestClient(app) as client:
            yield NetApi(client, manager, containers)
    finally:
        manager.close()


def _create(napi: NetApi, name: str, subnet: str | None = None, **extra: Any) -> Any:
    body: dict[str, Any] = {"Name": name, "Driver": "bridge", "IPAM": {"Driver": "default", "Options": {},
                            "Config": [{"Subnet": subnet}] if subnet else []}, **extra}
    return napi.client.post("/v1.47/networks/create", json=body)


def test_create_inspect_list_remove(napi: NetApi) -> None:
    r = _create(napi, "web", "10.99.1.0/24", Labels={"lesson": "net"})
    assert r.status == 201 and r.json()["Warning"] == ""
    nid = r.json()["Id"]
    info = napi.client.get("/networks/web").json()
    assert info["Id"] == nid and info["Driver"] == "bridge"
    assert info["IPAM"]["Config"] == [{"Subnet": "10.99.1.0/24", "Gateway": "10.99.1.1"}]
    assert info["Labels"] == {"lesson": "net"}
    names = [n["Name"] for n in napi.client.get("/networks").json()]
    assert {"bridge", "host", "none", "web"} <= set(names)
    assert napi.client.delete(f"/networks/{nid[:12]}").status == 204
    assert napi.client.get("/networks/web").status == 404


@pytest.mark.parametrize("subnet, status, words", [
    ("10.99.0.0/33", 400, "10.99.0.0/33"),
    ("not-a-cidr", 400, "not-a-cidr"),
])
def test_create_refuses_invalid_cidr(napi: NetApi, subnet: str, status: int, words: str) -> None:
    r = _create(napi, "bad", subnet)
    assert r.status == status and words in r.json()["message"]


def test_create_refuses_overlapping_subnets(napi: NetApi) -> None:
    assert _create(napi, "one", "10.98.0.0/16").status == 201
    r = _create(napi, "two", "10.98.5.0/24")
    assert r.status == 409 and "overlaps" in r.json()["message"] and "one" in r.json()["message"]


@pytest.mark.parametrize("body, words", [
    ({"Name": ""}, "needs a name"),
    ({"Name": "x", "Driver": "overlay"}, "only the bridge driver"),
    ({"Name": "x", "IPAM": {"Config": [{"Subnet": "10.1.0.0/24"}, {"Subnet": "10.2.0.0/24"}]}}, "at most one"),
    ({"Name": "x", "EnableIPv6": True}, "IPv6"),
])
def test_create_refuses_bad_bodies(napi: NetApi, body: dict, words: str) -> None:
    r = napi.client.post("/networks/create", json=body)
    assert r.status == 400 and words in r.json()["message"]


def test_duplicate_and_predefined_names(napi: NetApi) -> None:
    assert _create(napi, "dup").status == 201
    assert _create(napi, "dup").status == 409
    assert napi.client.delete("/networks/bridge").status == 403


def test_unknown_network_is_404(napi: NetApi) -> None:
    for r in (napi.client.get("/networks/nosuch"), napi.client.delete("/networks/nosuch"),
              napi.client.get("/sandbox/networks/nosuch/topology")):
        assert r.status == 404 and "network nosuch not found" in r.json()["message"]


def test_list_filters(napi: NetApi) -> None:
    _create(napi, "alpha", Labels={"k": "v"})
    _create(napi, "beta")

    def names(**filters: list[str]) -> list[str]:
        q = {"filters": json.dumps({k: {v: True for v in vs} for k, vs in filters.items()})}
        return sorted(n["Name"] for n in napi.client.get("/networks", query=q).json())

    assert names(type=["custom"]) == ["alpha", "beta"]
    assert names(type=["builtin"]) == ["bridge", "host", "none"]
    assert names(label=["k=v"]) == ["alpha"]
    assert names(name=["alp"]) == ["alpha"]
    assert names(driver=["null"]) == ["none"]
    assert names(dangling=["true"]) == ["alpha", "beta"]
    r = napi.client.get("/networks", query={"filters": json.dumps({"color": {"red": True}})})
    assert r.status == 400


def test_prune_removes_unused_user_networks(napi: NetApi) -> None:
    _create(napi, "keep", Labels={"keep": "1"})
    _create(napi, "drop")
    q = {"filters": json.dumps({"label!": {"keep": True}})}
    assert napi.client.post("/networks/prune", query=q).json() == {"NetworksDeleted": ["drop"]}
    assert napi.client.post("/networks/prune").json() == {"NetworksDeleted": ["keep"]}
    assert napi.client.post("/networks/prune").json() == {"NetworksDeleted": None}


def test_connect_and_disconnect_go_through_the_container_service(napi: NetApi) -> None:
    _create(napi, "app")
    ep = {"Aliases": ["db"]}
    assert napi.client.post("/networks/app/connect", json={"Container": "web", "EndpointConfig": ep}).status < 300
    assert napi.client.post("/networks/app/disconnect", json={"Container": "web", "Force": True}).status < 300
    assert napi.containers.calls == [("connect", "web", "app", ep), ("disconnect", "web", "app", True)]


def test_connect_refuses_host_mode_and_missing_container(napi: NetApi) -> None:
    _create(napi, "app")
    r = napi.client.post("/networks/app/connect", json={"Container": "hosty"})
    assert r.status == 400
    assert "cannot be disconnected from host network or connected to host network" in r.json()["message"]
    assert napi.client.post("/networks/app/connect", json={}).status == 400


def test_topology_names_the_bridge(napi: NetApi) -> None:
    _create(napi, "pic", "10.97.0.0/24")
    topo = napi.client.get("/sandbox/networks/pic/topology").json()
    assert napi.manager.network("pic").bridge in json.dumps(topo)
