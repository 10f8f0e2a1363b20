"""Published ports in Docker's shapes (no kernel)."""

from __future__ import annotations

import pytest

from sandbox.engine.containers import portmap, translate
from sandbox.errors import InvalidParameter
from sandbox.network import PortBinding


def test_wanted_reads_bindings_ranges_and_publish_all() -> None:
    host = {"PortBindings": {"80/tcp": [{"HostIp": "127.0.0.1", "HostPort": "18080"}],
                             "53/udp": [{"HostPort": "5300-5310"}], "81": None},
            "PublishAllPorts": True}
    config = {"ExposedPorts": {"80/tcp": {}, "443/tcp": {}}}
    assert portmap.wanted(host, config) == [
        portmap.Wanted(80, "tcp", "127.0.0.1", (18080, 18080)),
        portmap.Wanted(53, "udp", "", (5300, 5310)),
        portmap.Wanted(81, "tcp", "", (0, 0)),
        portmap.Wanted(443, "tcp", "", (0, 0)),
    ]


@pytest.mark.parametrize("bindings, words", [
    ({"80/sctp": []}, "invalid protocol"),
    ({"http/tcp": []}, "invalid port 'http'"),
    ({"70000/tcp": []}, "invalid port '70000'"),
    ({"80/tcp": [{"HostPort": "99999"}]}, "invalid port '99999'"),
    ({"80/tcp": [{"HostPort": "90-80"}]}, "invalid host port range"),
    ({"80/tcp": ["8080"]}, "invalid binding"),
])
def test_wanted_refuses_bad_ports(bindings: dict, words: str) -> None:
    with pytest.raises(InvalidParameter, match=words):
        portmap.wanted({"PortBindings": bindings}, {})


def test_ports_map_and_summary() -> None:
    host = {"PortBindings": {"80/tcp": [{"HostPort": "18080"}]}}
    config = {"ExposedPorts": {"80/tcp": {}, "443/tcp": {}}}
    bound = [PortBinding("c" * 64, "0.0.0.0", 18080, "10.0.0.2", 80)]
    assert portmap.ports_map(host, config, bound) == {"80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "18080"}],
                                                      "443/tcp": None}
    assert portmap.summary_ports(host, config, bound) == [
        {"IP": "0.0.0.0", "PrivatePort": 80, "PublicPort": 18080, "Type": "tcp"},
        {"PrivatePort": 443, "Type": "tcp"}]


def test_network_modes_need_the_network_manager() -> None:
    for mode in ("host", "container:web", "mynet"):
        with pytest.raises(InvalidParameter, match="not supported yet"):
            translate.host_config({"NetworkMode": mode})
        host, _ = translate.host_config({"NetworkMode": mode}, networks=True)
        assert host["NetworkMode"] == mode
    with pytest.raises(InvalidParameter, match="container: needs"):
        translate.host_config({"NetworkMode": "container:"}, networks=True)


def test_warnings_follow_what_the_engine_has() -> None:
    user = {"Binds": ["/a:/b"], "PortBindings": {"80/tcp": [{"HostPort": "1"}]}}
    assert translate.host_config(user)[1] == ["volumes (Binds) are not supported yet and were ignored",
                                              "published ports (PortBindings) are not supported yet and were ignored"]
    assert translate.host_config(user, volumes=True, networks=True)[1] == []
    host_mode = translate.host_config({**user, "NetworkMode": "host"}, volumes=True, networks=True)[1]
    assert host_mode == ["Published ports are discarded when using host network mode"]
