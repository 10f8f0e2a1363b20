"""The manager's logic over in-memory links: networks, endpoints, names, state (no root)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sandbox.errors import (
    EndpointExists,
    EndpointNotFound,
    InvalidNetworkConfig,
    NetlinkFailed,
    NetworkAmbiguous,
    NetworkExists,
    NetworkInUse,
    NetworkNotFound,
    NetworkReserved,
    NotConnectable,
    SubnetOverlap,
)
from sandbox.network import NetworkManager
from sandbox.network.fake import FakeLinks

A, B, C = "a" * 64, "b" * 64, "c" * 64


def test_the_predefined_networks_exist_on_first_use(fake_manager: NetworkManager, tag: str) -> None:
    rows = {n["Name"]: n for n in fake_manager.list()}
    assert set(rows) == {"bridge", "host", "none"}
    assert rows["bridge"]["Driver"] == "bridge" and rows["host"]["Driver"] == "host"
    assert rows["none"]["Driver"] == "null"
    assert rows["bridge"]["IPAM"]["Config"] == [{"Subnet": "10.213.0.0/24", "Gateway": "10.213.0.1"}]
    assert rows["bridge"]["Options"]["com.docker.network.bridge.name"] == tag + "d0"
    assert all(len(n["Id"]) == 64 for n in rows.values())


def test_create_takes_a_free_block_of_the_pool_and_makes_the_bridge(fake_manager: NetworkManager,
                                                                   fake_links: FakeLinks, tag: str) -> None:
    one = fake_manager.create("one")
    two = fake_manager.create("two", labels={"team": "x"})
    assert (one.subnet, one.gateway) == ("10.214.0.0/24", "10.214.0.1")
    assert two.subnet == "10.214.1.0/24"
    assert one.bridge.startswith(tag + "b") and len(one.bridge) == 15
    assert one.bridge in fake_links.devices
    assert fake_manager.inspect("two")["Labels"] == {"team": "x"}


def test_create_with_subnet_and_gateway(fake_manager: NetworkManager) -> None:
    net = fake_manager.create("web", subnet="10.99.0.0/16", gateway="10.99.0.254", internal=True)
    doc = fake_manager.inspect("web")
    assert doc["IPAM"]["Config"] == [{"Subnet": "10.99.0.0/16", "Gateway": "10.99.0.254"}]
    assert doc["Internal"] is True and net.user_subnet


def test_create_refuses_bad_input(fake_manager: NetworkManager) -> None:
    fake_manager.create("web", subnet="10.99.0.0/16")
    with pytest.raises(NetworkExists) as exists:
        fake_manager.create("web")
    assert exists.value.status == 409 and str(exists.value) == "network with name web already exists"
    with pytest.raises(SubnetOverlap) as overlap:
        fake_manager.create("other", subnet="10.99.3.0/24")
    assert overlap.value.status == 409
    assert "10.99.3.0/24" in str(overlap.value) and "10.99.0.0/16 of network web" in str(overlap.value)
    with pytest.raises(SubnetOverlap, match="the host's route on eth0"):
        fake_manager.create("hosty", subnet="192.0.2.0/25")
    with pytest.raises(InvalidNetworkConfig) as cidr:
        fake_manager.create("bad", subnet="10.1.1.0/33")
    assert cidr.value.status == 400 and "10.1.1.0/33" in str(cidr.value)
    with pytest.raises(InvalidNetworkConfig, match="gateway"):
        fake_manager.create("bad", subnet="10.50.0.0/24", gateway="10.51.0.1")
    with pytest.raises(NetworkReserved):
        fake_manager.create("host")
    assert [n["Name"] for n in fake_manager.list()].count("web") == 1


def test_lookup_by_name_id_and_prefix(fake_manager: NetworkManager) -> None:
    net = fake_manager.create("web")
    assert fake_manager.network(net.id).name == "web"
    assert fake_manager.network(net.id[:5]).name == "web"
    with pytest.raises(NetworkNotFound) as err:
        fake_manager.inspect("nope")
    assert err.value.status == 404 and str(err.value) == "network nope not found"
    ids = [n.id for n in fake_manager.networks()]
    common = next((a[:1] for a in ids for b in ids if a != b and a[0] == b[0]), None)
    if common is not None:
        with pytest.raises(NetworkAmbiguous):
            fake_manager.network(common)


def test_remove_and_prune(fake_manager: NetworkManager, fake_links: FakeLinks) -> None:
    net = fake_manager.create("web")
    fake_manager.create("busy")
    fake_manager.create("kept", labels={"keep": "1"})
    fake_manager.connect("busy", A, "alpha", "/ns/a")
    with pytest.raises(NetworkReserved) as err:
        fake_manager.remove("bridge")
    assert err.value.status == 403
    with pytest.raises(NetworkInUse) as busy:
        fake_manager.remove("busy")
    assert busy.value.status == 409 and "has active endpoints" in str(busy.value)
    fake_manager.remove(net.id)
    assert net.bridge not in fake_links.devices
    assert fake_manager.prune(keep=lambda n: "keep" in n.labels) == []
    fake_manager.disconnect("busy", A)
    assert fake_manager.prune(keep=lambda n: "keep" in n.labels) == ["busy"]
    assert {n.name for n in fake_manager.networks()} == {"bridge", "host", "none", "kept"}


def test_connect_allocates_addresses_interfaces_and_one_default_route(fake_manager: NetworkManager,
                                                                     fake_links: FakeLinks) -> None:
    fake_manager.create("web", subnet="10.60.0.0/24")
    e1 = fake_manager.connect("bridge", A, "alpha", "/ns/a")
    e2 = fake_manager.connect("web", A, "alpha", "/ns/a", ip="10.60.0.50")
    e3 = fake_manager.connect("web", B, "beta", "/ns/b")
    assert (e1.ip, e1.ifname, e1.mac) == ("10.213.0.2", "eth0", "02:42:0a:d5:00:02")
    assert (e2.ip, e2.ifname) == ("10.60.0.50", "eth1")
    assert e3.ip == "10.60.0.2"
    assert fake_links.peers[e1.veth_host].gateway == "10.213.0.1"
    assert fake_links.peers[e2.veth_host].gateway is None  # a already has its default route
    assert fake_links.peers[e3.veth_host].gateway == "10.60.0.1"
    doc = fake_manager.inspect("web")["Containers"]
    assert doc[B] == {"Name": "beta", "EndpointID": e3.endpoint_id, "MacAddress": e3.mac,
                      "IPv4Address": "10.60.0.2/24", "IPv6Address": ""}
    assert [e.network_name for e in fake_manager.endpoints(A)] == ["bridge", "web"]


def test_connect_refuses(fake_manager: NetworkManager, fake_links: FakeLinks) -> None:
    fake_manager.connect("bridge", A, "alpha", "/ns/a")
    with pytest.raises(EndpointExists):
        fake_manager.connect("bridge", A, "alpha", "/ns/a")
    with pytest.raises(NotConnectable) as err:
        fake_manager.connect("host", B, "beta", "/ns/b")
    assert err.value.status == 400
    with pytest.raises(InvalidNetworkConfig, match="user defined networks"):
        fake_manager.connect("bridge", B, "beta", "/ns/b", aliases=["db"])
    with pytest.raises(NetworkNotFound):
        fake_manager.connect("nope", B, "beta", "/ns/b")
    with pytest.raises(EndpointNotFound):
        fake_manager.disconnect("bridge", C)


def test_a_failed_veth_releases_the_address(fake_manager: NetworkManager, fake_links: FakeLinks) -> None:
    fake_links.fail["add_endpoint"] = 17
    with pytest.raises(NetlinkFailed):
        fake_manager.connect("bridge", A, "alpha", "/ns/a")
    assert fake_manager.network("bridge").allocated == {}
    assert fake_manager.inspect("bridge")["Containers"] == {}


def test_hosts_files_follow_peers_on_user_networks_only(fake_manager: NetworkManager, lookup: Any) -> None:
    fake_manager.create("web")
    fake_manager.create("other")
    a = fake_manager.connect("web", A, "alpha", "/ns/a", aliases=["db"])
    b = fake_manager.connect("web", B, "beta", "/ns/b")
    c = fake_manager.connect("other", C, "gamma", "/ns/c")
    hosts_a = fake_manager.hosts_file(A)
    assert hosts_a.read_text().startswith("127.0.0.1\tlocalhost\n")
    assert lookup(hosts_a, "beta") == b.ip and lookup(hosts_a, B[:12]) == b.ip
    assert lookup(hosts_a, "gamma") is None
    assert lookup(fake_manager.hosts_file(B), "db") == a.ip
    assert lookup(fake_manager.hosts_file(C), "gamma") == c.ip
    inode = hosts_a.stat().st_ino

    fake_manager.disconnect("web", B)
    assert lookup(hosts_a, "beta") is None  # a's file was rewritten…
    assert hosts_a.stat().st_ino == inode  # …in place, so a bind mount of it sees the change

    fake_manager.rename_container(A, "alpha2")
    fake_manager.connect("web", B, "beta", "/ns/b")
    assert lookup(fake_manager.hosts_file(B), "alpha2") == a.ip

    # the default bridge: a container knows its own address, not its peers' names
    fake_manager.connect("bridge", C, "gamma", "/ns/c")
    fake_manager.connect("bridge", B, "beta", "/ns/b")
    assert lookup(fake_manager.hosts_file(C), "beta") is None


def test_disconnect_moves_the_default_route(fake_manager: NetworkManager, fake_links: FakeLinks) -> None:
    fake_manager.create("web", subnet="10.60.0.0/24")
    fake_manager.connect("bridge", A, "alpha", "/ns/a")
    fake_manager.connect("web", A, "alpha", "/ns/a")
    fake_manager.disconnect("bridge", A)
    assert fake_links.default_routes["/ns/a"] == "10.60.0.1"
    assert fake_manager.network("web").endpoints[A].default_route


def test_resolv_conf_drops_loopback_servers(tmp_path: Path, tag: str, fake_links: FakeLinks) -> None:
    from sandbox.network import NetworkOptions

    host = tmp_path / "resolv.conf"
    host.write_text("# made by hand\nnameserver 127.0.0.53\nnameserver 10.9.9.9\nsearch lab.example\n")
    opts = NetworkOptions(default_bridge=tag + "d0", bridge_prefix=tag + "b", veth_prefix=tag + "v",
                          host_resolv_conf=host, systemd_resolv_conf=tmp_path / "missing")
    mgr = NetworkManager(tmp_path / "state", options=opts, links=fake_links)
    assert mgr.resolv_conf(A).read_text() == "nameserver 10.9.9.9\nsearch lab.example\n"


def test_state_survives_a_new_manager(tmp_path: Path, tag: str, fake_links: FakeLinks) -> None:
    from sandbox.network import NetworkOptions

    opts = NetworkOptions(default_bridge=tag + "d0", bridge_prefix=tag + "b", veth_prefix=tag + "v")
    first = NetworkManager(tmp_path, options=opts, links=fake_links)
    net = first.create("web", labels={"a": "b"})
    ep = first.connect("web", A, "alpha", "/ns/a", aliases=["db"])
    first.close()

    second = NetworkManager(tmp_path, options=opts, links=fake_links)
    report = second.restore()
    assert report.endpoints_dropped == []
    again = second.network("web")
    assert (again.id, again.subnet, again.labels, again.allocated) == (net.id, net.subnet, {"a": "b"},
                                                                       {ep.ip: A})
    assert again.endpoints[A].aliases == ["db"]
    assert second.connect("web", B, "beta", "/ns/b").ip != ep.ip
    assert {n.name: n.id for n in second.networks()}["bridge"] == first.network("bridge").id
    on_disk = json.loads((tmp_path / "networks" / f"{net.id}.json").read_text())
    assert on_disk["allocated"][ep.ip] == A

    # a container that died while no daemon ran: its veth is gone, restore releases it
    fake_links.vanish(ep.veth_host)
    third = NetworkManager(tmp_path, options=opts, links=fake_links)
    assert third.restore().endpoints_dropped == [("web", A)]
    assert ep.ip not in third.network("web").allocated


def test_restore_recreates_missing_bridges(tmp_path: Path, tag: str, fake_links: FakeLinks) -> None:
    from sandbox.network import NetworkOptions

    opts = NetworkOptions(default_bridge=tag + "d0", bridge_prefix=tag + "b", veth_prefix=tag + "v")
    net = NetworkManager(tmp_path, options=opts, links=fake_links).create("web")
    fake_links.devices.clear()  # a reboot
    report = NetworkManager(tmp_path, options=opts, links=fake_links).restore()
    assert sorted(report.bridges_created) == sorted([net.bridge, tag + "d0"])


def test_teardown_and_leaks(fake_manager: NetworkManager, fake_links: FakeLinks, tag: str) -> None:
    fake_manager.create("web")
    fake_manager.connect("web", A, "alpha", "/ns/a")
    fake_manager.connect("bridge", B, "beta", "/ns/b")
    fake_manager.disconnect("bridge", B)
    assert fake_manager.leaks() == []
    fake_links.devices[tag + "vstray"] = fake_links.devices[fake_manager.network("web").bridge]
    assert fake_manager.leaks() == [tag + "vstray"]
    del fake_links.devices[tag + "vstray"]

    assert fake_manager.teardown() == [tag + "d0"]  # web still has an endpoint
    assert sorted(fake_manager.teardown(everything=True)) == [fake_manager.network("web").bridge]
    assert fake_links.link_names((tag,)) == []


def test_release_container_frees_everything(fake_manager: NetworkManager, fake_links: FakeLinks) -> None:
    fake_manager.create("web")
    fake_manager.connect("web", A, "alpha", "/ns/a")
    hosts = fake_manager.hosts_file(A)
    fake_manager.release_container(A)
    assert fake_manager.endpoints(A) == []
    assert not hosts.exists()
    assert [d for d in fake_links.devices if fake_links.devices[d].kind == "veth"] == []


def test_published_ports_come_back_after_a_restart(tmp_path: Path, tag: str, fake_links: FakeLinks) -> None:
    import socket

    from sandbox.network import NetworkOptions

    opts = NetworkOptions(default_bridge=tag + "d0", bridge_prefix=tag + "b", veth_prefix=tag + "v")
    first = NetworkManager(tmp_path, options=opts, links=fake_links)
    ep = first.connect("bridge", A, "alpha", "/ns/a")
    first.connect("bridge", B, "beta", "/ns/b")
    kept = first.publish(A, "127.0.0.1", 0, ep.ip, 80)
    first.publish(B, "127.0.0.1", 0, "10.213.0.3", 81)
    assert [b.container_id for b in first.port_bindings()] == [A, B]
    first.close()  # the daemon stops: its listeners close with it

    fake_links.vanish(first.network("bridge").endpoints[B].veth_host)  # b died meanwhile
    second = NetworkManager(tmp_path, options=opts, links=fake_links)
    try:
        report = second.restore()
        assert report.ports == [kept]
        assert [b.container_id for b, _ in report.ports_failed] == [B]
        with socket.socket() as s, pytest.raises(OSError):
            s.bind(("127.0.0.1", kept.host_port))  # listening again
        assert second.port_bindings() == [kept]
    finally:
        second.close()


def test_the_default_subnet_may_not_clash_with_a_host_route(tmp_path: Path, tag: str) -> None:
    from sandbox.network import NetworkOptions
    from sandbox.network.links import Route

    links = FakeLinks(routes=[Route("10.213.0.0/16", "eth9")])
    mgr = NetworkManager(tmp_path, options=NetworkOptions(default_bridge=tag + "d0"), links=links)
    with pytest.raises(SubnetOverlap, match="the host's route on eth9"):
        mgr.connect("bridge", A, "alpha", "/ns/a")
    assert links.devices == {} and mgr.network("bridge").allocated == {}


def test_disconnect_without_waiting_keeps_the_address_until_the_veth_is_gone(
        fake_manager: NetworkManager, fake_links: FakeLinks) -> None:
    import threading

    ep = fake_manager.connect("bridge", A, "alpha", "/ns/a")
    gate = threading.Event()
    real_delete = fake_links.delete_link

    def slow_delete(name: str) -> bool:
        gate.wait(10)  # the kernel's RCU wait, held open by the test
        return real_delete(name)

    fake_links.delete_link = slow_delete  # type: ignore[method-assign]
    fake_manager.disconnect("bridge", A, wait=False)
    net = fake_manager.network("bridge")
    assert A not in net.endpoints and net.allocated.get(ep.ip) == A
    assert ep.veth_host not in fake_manager.leaks()  # being deleted is not a leak
    other = fake_manager.connect("bridge", B, "beta", "/ns/b")
    assert other.ip != ep.ip  # never shared with a dying container
    gate.set()
    fake_manager._settle()
    assert ep.veth_host not in fake_links.devices and ep.ip not in fake_manager.network("bridge").allocated
    again = fake_manager.connect("bridge", C, "gamma", "/ns/c")
    assert again.ip == ep.ip


def test_set_netns_renames_the_namespace_of_every_endpoint(fake_manager: NetworkManager) -> None:
    fake_manager.create("web", subnet="10.61.0.0/24")
    fake_manager.connect("bridge", A, "alpha", "/proc/1/fd/9")
    fake_manager.connect("web", A, "alpha", "/proc/1/fd/9")
    fake_manager.set_netns(A, "/proc/42/ns/net")
    fake_manager._settle()
    saved = json.loads((fake_manager.state_dir / "networks" / f"{fake_manager.network('web').id}.json").read_text())
    assert saved["endpoints"][A]["netns"] == "/proc/42/ns/net"
    assert {ep.netns for ep in fake_manager.network("bridge").endpoints.values()} == {"/proc/42/ns/net"}
    assert fake_manager.network("web").endpoints[A].netns == "/proc/42/ns/net"
