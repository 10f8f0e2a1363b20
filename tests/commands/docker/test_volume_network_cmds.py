"""``volume …`` and ``network …`` on canned engine answers: tables, -q, formats, prunes,
and the errors docker prints. (test_same_as_docker_volnet compares with the real CLI.)"""

from __future__ import annotations

import json

import pytest

from sandbox.client import MockResponse

VOLUMES = {"Volumes": [
    {"Name": "web10", "Driver": "local", "Scope": "local", "Mountpoint": "/v/web10/_data", "Labels": {"a": "1"}},
    {"Name": "web9", "Driver": "local", "Scope": "local", "Mountpoint": "/v/web9/_data", "Labels": None},
], "Warnings": None}
NET_ID = "f" * 64
NETWORKS = [
    {"Name": "front", "Id": NET_ID, "Driver": "bridge", "Scope": "local", "Internal": True,
     "Created": "2026-11-25T17:24:20.120000000Z", "Labels": {"k": "v"}},
    {"Name": "bridge", "Id": "a" * 64, "Driver": "bridge", "Scope": "local", "Created": "2026-11-25T17:00:00Z"},
]


def test_volume_ls_sorts_naturally_with_docker_columns(docker) -> None:
    docker.router.add("GET", "/volumes", MockResponse.json(VOLUMES))
    assert docker("volume", "ls").out == "DRIVER    VOLUME NAME\nlocal     web9\nlocal     web10\n"
    assert docker("volume", "ls", "-q").out == "web9\nweb10\n"
    assert docker("volume", "ls", "--format", "{{.Name}}|{{.Labels}}|{{.Links}}|{{.Size}}|{{.Label \"a\"}}").out == \
        "web9||N/A|N/A|\nweb10|a=1|N/A|N/A|1\n"
    row = json.loads(docker("volume", "list", "--format", "json").out.splitlines()[0])
    assert sorted(row) == ["Availability", "Driver", "Group", "Labels", "Links", "Mountpoint", "Name", "Scope",
                           "Size", "Status"]


def test_volume_ls_sends_filters(docker) -> None:
    docker.router.add("GET", "/volumes", MockResponse.json({"Volumes": None, "Warnings": None}))
    assert docker("volume", "ls", "-f", "dangling=true").out == "DRIVER    VOLUME NAME\n"
    assert docker.transport.requests[-1].query == {"filters": '{"dangling":{"true":true}}'}


def test_volume_create_prints_the_name(docker) -> None:
    docker.router.add("POST", "/volumes/create", MockResponse.json({"Name": "a" * 64}, status=201))
    assert docker("volume", "create").out == "a" * 64 + "\n"
    assert docker.transport.requests[-1].json() == {"Driver": "local"}


@pytest.mark.parametrize("argv, err", [
    (("volume", "create", "-o", "novalue", "v"), 'invalid argument "novalue" for "-o, --opt" flag'),
    (("volume", "create", "a", "b"), "'docker volume create' requires at most 1 argument"),
    (("volume", "inspect"), "'docker volume inspect' requires at least 1 argument"),
    (("network", "connect", "n"), "'docker network connect' requires 2 arguments"),
    (("network", "create"), "'docker network create' requires 1 argument"),
    (("network", "create", "--gateway", "10.0.0.1", "n"), "every ip-range or gateway must have a corresponding subnet"),
])
def test_bad_command_lines(docker, argv, err) -> None:
    result = docker(*argv)
    assert result.code != 0 and err in result.err
    assert docker.routes() == []


def test_volume_rm_goes_on_after_an_error(docker) -> None:
    docker.router.add("DELETE", "/volumes/busy", MockResponse.error(409, "remove busy: volume is in use - [abc]"))
    docker.router.add("DELETE", "/volumes/free", MockResponse(204))
    result = docker("volume", "rm", "busy", "free")
    assert (result.code, result.out, result.err) == (
        1, "free\n", "Error response from daemon: remove busy: volume is in use - [abc]\n")


def test_volume_prune_asks_then_reports(docker) -> None:
    docker.router.add("POST", "/volumes/prune", MockResponse.json({"VolumesDeleted": ["x", "y"], "SpaceReclaimed": 2048}))
    declined = docker("volume", "prune", stdin="n\n")
    assert declined.out.startswith("WARNING! This will remove anonymous local volumes") and docker.routes() == []
    done = docker("volume", "prune", "-a", stdin="y\n")
    assert done.out.endswith("[y/N] Deleted Volumes:\nx\ny\n\nTotal reclaimed space: 2.048kB\n")
    assert "remove all local volumes" in done.out
    assert docker.transport.requests[-1].query == {"filters": '{"all":{"true":true}}'}


def test_network_ls_table_no_trunc_and_quiet(docker) -> None:
    docker.router.add("GET", "/networks", MockResponse.json(NETWORKS))
    assert docker("network", "ls").out == ("NETWORK ID     NAME      DRIVER    SCOPE\n"
                                           "aaaaaaaaaaaa   bridge    bridge    local\n"
                                           "ffffffffffff   front     bridge    local\n")
    assert docker("network", "ls", "-q", "--no-trunc").out == "a" * 64 + "\n" + NET_ID + "\n"
    out = docker("network", "ls", "--format", "{{.Name}} {{.Internal}} {{.IPv6}} {{.Labels}} {{.CreatedAt}}").out
    assert out.splitlines() == ["bridge false false  2026-11-25 17:00:00 +0000 UTC",
                                "front true false k=v 2026-11-25 17:24:20.12 +0000 UTC"]


def test_network_create_prints_the_id_and_sends_ipam(docker) -> None:
    docker.router.add("POST", "/networks/create", MockResponse.json({"Id": NET_ID, "Warning": ""}, status=201))
    result = docker("network", "create", "--subnet", "10.9.0.0/24", "--gateway", "10.9.0.1", "--internal",
                    "--label", "k=v", "front")
    assert result.out == NET_ID + "\n"
    body = docker.transport.requests[-1].json()
    assert body["IPAM"]["Config"] == [{"Subnet": "10.9.0.0/24", "Gateway": "10.9.0.1"}]
    assert (body["Name"], body["Internal"], body["Labels"]) == ("front", True, {"k": "v"})


def test_network_rm_reports_each_and_force_skips_missing(docker) -> None:
    docker.router.add("DELETE", "/networks/front", MockResponse(204))
    docker.router.add("DELETE", "/networks/nope", MockResponse.error(404, "network nope not found"))
    result = docker("network", "rm", "front", "nope")
    assert (result.code, result.out, result.err) == (
        1, "front\n", "Error response from daemon: network nope not found\nexit status 1\n")
    assert docker("network", "rm", "-f", "nope").code == 0


def test_network_connect_disconnect_and_prune(docker) -> None:
    docker.router.add("POST", "/networks/front/connect", MockResponse(200))
    docker.router.add("POST", "/networks/front/disconnect", MockResponse(200))
    docker.router.add("POST", "/networks/prune", MockResponse.json({"NetworksDeleted": ["front"]}))
    assert docker("network", "connect", "--alias", "www", "front", "web").out == ""
    assert docker.transport.requests[-1].json() == {"Container": "web", "EndpointConfig": {"Aliases": ["www"]}}
    assert docker("network", "disconnect", "-f", "front", "web").code == 0
    assert docker.transport.requests[-1].json() == {"Container": "web", "Force": True}
    assert docker("network", "prune", "-f").out == "Deleted Networks:\nfront\n\n"


def test_network_connect_of_a_host_mode_container_relays_the_engine(docker) -> None:
    docker.router.add("POST", "/networks/front/connect",
                      MockResponse.error(400, "container cannot be disconnected from host network or connected to "
                                              "host network"))
    result = docker("network", "connect", "front", "hosty")
    assert result.code == 1 and result.err.startswith("Error response from daemon: container cannot be")
