"""client.volumes and client.networks: what goes on the wire, and what comes back."""

from __future__ import annotations

import pytest

from sandbox.client import EngineClient, EngineError, MockResponse, MockRouter, MockTransport

VOLUME = {"Name": "data", "Driver": "local", "Mountpoint": "/v/data/_data", "Labels": {}, "Scope": "local",
          "Options": {}, "CreatedAt": "2026-11-25T17:24:20Z"}


def test_volume_create_sends_only_what_was_given(client: EngineClient, router: MockRouter,
                                                 transport: MockTransport) -> None:
    router.add("POST", "/volumes/create", MockResponse.json(VOLUME, status=201))
    assert client.volumes.create("data")["Name"] == "data"
    assert transport.requests[-1].json() == {"Driver": "local", "Name": "data"}
    client.volumes.create(labels={"a": "b"}, driver_opts={"type": "tmpfs"})
    assert transport.requests[-1].json() == {"Driver": "local", "Labels": {"a": "b"}, "DriverOpts": {"type": "tmpfs"}}


def test_volume_list_inspect_remove_prune(client: EngineClient, router: MockRouter, transport: MockTransport) -> None:
    router.add("GET", "/volumes", MockResponse.json({"Volumes": None, "Warnings": None}))
    router.add("GET", "/volumes/data", MockResponse.json(VOLUME))
    router.add("DELETE", "/volumes/data", MockResponse(204))
    router.add("POST", "/volumes/prune", MockResponse.json({"VolumesDeleted": ["x"], "SpaceReclaimed": 5}))
    assert client.volumes.list(filters={"dangling": "true"}) == {"Volumes": [], "Warnings": None}
    assert transport.requests[-1].query == {"filters": '{"dangling":{"true":true}}'}
    assert client.volumes.inspect("data")["Mountpoint"] == "/v/data/_data"
    client.volumes.remove("data", force=True)
    assert transport.requests[-1].query == {"force": "1"}
    assert client.volumes.prune(filters={"all": "true"})["VolumesDeleted"] == ["x"]
    assert transport.requests[-1].query == {"filters": '{"all":{"true":true}}'}


def test_volume_in_use_is_an_engine_error(client: EngineClient, router: MockRouter) -> None:
    router.add("DELETE", "/volumes/data", MockResponse.error(409, "remove data: volume is in use - [abc]"))
    with pytest.raises(EngineError) as info:
        client.volumes.remove("data")
    assert info.value.status == 409 and "in use" in info.value.message


def test_network_create_body_matches_the_cli(client: EngineClient, router: MockRouter,
                                            transport: MockTransport) -> None:
    router.add("POST", "/networks/create", MockResponse.json({"Id": "n1", "Warning": ""}, status=201))
    assert client.networks.create("front", subnets=["10.9.0.0/24"], gateways=["10.9.0.254"],
                                  labels={"k": "v"})["Id"] == "n1"
    assert transport.requests[-1].json() == {
        "Name": "front", "Driver": "bridge", "Scope": "", "Internal": False, "Attachable": False,
        "Ingress": False, "ConfigOnly": False, "Options": {}, "Labels": {"k": "v"},
        "IPAM": {"Driver": "default", "Options": {}, "Config": [{"Subnet": "10.9.0.0/24", "Gateway": "10.9.0.254"}]}}
    client.networks.create("plain")
    assert transport.requests[-1].json()["IPAM"]["Config"] == []


def test_network_list_inspect_remove_prune(client: EngineClient, router: MockRouter,
                                           transport: MockTransport) -> None:
    router.add("GET", "/networks", MockResponse.json([{"Id": "n1", "Name": "front"}]))
    router.add("GET", "/networks/front", MockResponse.json({"Id": "n1", "Name": "front"}))
    router.add("DELETE", "/networks/front", MockResponse(204))
    router.add("POST", "/networks/prune", MockResponse.json({"NetworksDeleted": None}))
    assert client.networks.list(filters={"name": "front"})[0]["Id"] == "n1"
    assert client.networks.inspect("front", verbose=True)["Name"] == "front"
    assert transport.requests[-1].query == {"verbose": "true"}
    client.networks.remove("front")
    assert transport.requests[-1].method == "DELETE"
    assert client.networks.prune() == {"NetworksDeleted": None}


def test_network_connect_and_disconnect(client: EngineClient, router: MockRouter, transport: MockTransport) -> None:
    router.add("POST", "/networks/front/connect", MockResponse(200))
    router.add("POST", "/networks/front/disconnect", MockResponse(200))
    client.networks.connect("front", "web", aliases=["www"], ipv4="10.9.0.7")
    assert transport.requests[-1].json() == {
        "Container": "web", "EndpointConfig": {"IPAMConfig": {"IPv4Address": "10.9.0.7"}, "Aliases": ["www"]}}
    client.networks.disconnect("front", "web", force=True)
    assert transport.requests[-1].json() == {"Container": "web", "Force": True}


def test_unknown_network_is_a_404(client: EngineClient, router: MockRouter) -> None:
    router.add("GET", "/networks/nope", MockResponse.error(404, "network nope not found"))
    with pytest.raises(EngineError) as info:
        client.networks.inspect("nope")
    assert info.value.status == 404
