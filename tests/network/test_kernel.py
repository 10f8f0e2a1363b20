"""The manager on real bridges, veth pairs and network namespaces (root)."""

from __future__ import annotations

import os
import socket
from typing import Any

import pytest

from sandbox.errors import NetworkInUse, PortAllocated, SubnetOverlap
from sandbox.network.netlink import KernelLinks
from sandbox.network.netns import run_in_thread

pytestmark = pytest.mark.root

A, B, C = "a" * 64, "b" * 64, "c" * 64


def test_two_containers_on_a_user_network_reach_each_other_by_ip_and_name(lab: Any, lookup: Any) -> None:
    mgr = lab.manager()
    net = mgr.create("web", subnet=lab.subnets[1])
    ns_a, ns_b = lab.netns(), lab.bound_netns()
    ep_a = mgr.connect("web", A, "alpha", ns_a, aliases=["db"])
    ep_b = mgr.connect("web", B, "beta", ns_b)

    assert (ep_a.ifname, ep_a.gateway, ep_a.prefixlen) == ("eth0", net.gateway, 24)
    assert ep_a.ip != ep_b.ip
    assert lab.ping(ns_a, ep_b.ip)
    assert lab.ping(ns_b, net.gateway)

    # b resolves a by name and by alias through its managed hosts file, then reaches it
    hosts_b = mgr.hosts_file(B)
    assert lookup(hosts_b, "alpha") == ep_a.ip
    assert lookup(hosts_b, "db") == ep_a.ip
    assert lab.ping(ns_b, lookup(hosts_b, "alpha"))
    # and a resolves b, whose entry was added to a's file when b connected
    assert lookup(mgr.hosts_file(A), "beta") == ep_b.ip


def test_networks_are_isolated_and_the_default_bridge_resolves_no_names(lab: Any, lookup: Any) -> None:
    mgr = lab.manager()
    mgr.create("one", subnet=lab.subnets[1])
    mgr.create("two", subnet=lab.subnets[2])
    ns_a, ns_b = lab.netns(), lab.netns()
    ep_a = mgr.connect("one", A, "alpha", ns_a)
    ep_b = mgr.connect("two", B, "beta", ns_b)

    assert lookup(mgr.hosts_file(A), "beta") is None
    assert not lab.ping(ns_a, ep_b.ip, timeout=0.5)
    assert not lab.ping(ns_b, ep_a.ip, timeout=0.5)

    # the default network: reachable by address, but names are not resolved (as in Docker)
    ns_c = lab.netns()
    ep_c = mgr.connect("bridge", C, "gamma", ns_c)
    ep_a2 = mgr.connect("bridge", A, "alpha", ns_a)
    assert ep_a2.ifname == "eth1"
    assert lab.ping(ns_c, ep_a2.ip)
    assert lookup(mgr.hosts_file(C), "alpha") is None
    assert lookup(mgr.hosts_file(C), C[:12]) == ep_c.ip


def test_publish_relays_loopback_to_a_server_in_the_namespace(lab: Any) -> None:
    mgr = lab.manager()
    mgr.create("web", subnet=lab.subnets[1])
    ns = lab.netns()
    ep = mgr.connect("web", A, "alpha", ns)
    lab.tcp_echo(ns, ep.ip, 8080)

    binding = mgr.publish(A, "127.0.0.1", 0, ep.ip, 8080)
    assert binding.host_port > 0
    with socket.create_connection(("127.0.0.1", binding.host_port), timeout=5) as c:
        c.sendall(b"hello through the proxy")
        c.shutdown(socket.SHUT_WR)
        got = b""
        while chunk := c.recv(4096):
            got += chunk
    assert got == b"hello through the proxy"
    assert mgr.topology("web")["ports"][0]["host_port"] == binding.host_port

    mgr.unpublish_all(A)
    with socket.socket() as s:  # the port is free at once
        s.bind(("127.0.0.1", binding.host_port))


def test_publish_udp(lab: Any) -> None:
    mgr = lab.manager()
    mgr.create("web", subnet=lab.subnets[1])
    ns = lab.netns()
    ep = mgr.connect("web", A, "alpha", ns)
    lab.udp_echo(ns, ep.ip, 5353)
    binding = mgr.publish(A, "127.0.0.1", 0, ep.ip, 5353, "udp")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as c:
        c.settimeout(5)
        c.sendto(b"ping", ("127.0.0.1", binding.host_port))
        assert c.recvfrom(100)[0] == b"echo:ping"


def test_a_published_port_cannot_be_taken_twice(lab: Any) -> None:
    mgr = lab.manager()
    mgr.create("web", subnet=lab.subnets[1])
    ep = mgr.connect("web", A, "alpha", lab.netns())
    binding = mgr.publish(A, "127.0.0.1", 0, ep.ip, 80)
    with pytest.raises(PortAllocated) as err:
        mgr.publish(B, "0.0.0.0", binding.host_port, "10.0.0.9", 80)
    assert str(err.value) == f"Bind for 0.0.0.0:{binding.host_port} failed: port is already allocated"
    assert err.value.status == 409


def test_remove_refuses_a_network_with_endpoints(lab: Any) -> None:
    mgr = lab.manager()
    net = mgr.create("web", subnet=lab.subnets[1])
    mgr.connect("web", A, "alpha", lab.netns())
    with pytest.raises(NetworkInUse) as err:
        mgr.remove("web")
    assert str(err.value) == f"error while removing network: network web id {net.id} has active endpoints"
    mgr.disconnect("web", A)
    mgr.remove("web")
    assert KernelLinks().link_info(net.bridge) is None


def test_twenty_connect_disconnect_cycles_leave_nothing_behind(lab: Any) -> None:
    links = KernelLinks()
    before = links.link_names((lab.tag,))
    mgr = lab.manager()
    mgr.create("cycle", subnet=lab.subnets[1])
    ns = lab.netns()
    mgr.connect("cycle", A, "alpha", ns)  # warm up: lazy imports, caches
    mgr.disconnect("cycle", A)
    fds = len(os.listdir("/proc/self/fd"))
    for i in range(20):
        ep = mgr.connect("cycle", A, "alpha", ns)
        assert links.link_info(ep.veth_host) is not None
        mgr.disconnect("cycle", A)
    assert mgr.inspect("cycle")["Containers"] == {}
    assert mgr.network("cycle").allocated == {}
    assert mgr.leaks() == []
    assert len(os.listdir("/proc/self/fd")) == fds  # no netlink socket or event loop left open
    mgr.remove("cycle")
    mgr.teardown()
    assert links.link_names((lab.tag,)) == before


def test_restore_keeps_allocations_and_drops_dead_containers(lab: Any, poll: Any) -> None:
    mgr = lab.manager()
    net = mgr.create("web", subnet=lab.subnets[1])
    ns_a, ns_b = lab.netns(), lab.netns()
    ep_a = mgr.connect("web", A, "alpha", ns_a)
    ep_b = mgr.connect("web", B, "beta", ns_b)
    mgr.close()  # the daemon goes away; devices and state stay

    again = lab.manager()
    report = again.restore()
    assert report.endpoints_dropped == [] and net.bridge not in report.bridges_created
    assert again.inspect("web")["Containers"][A]["IPv4Address"] == f"{ep_a.ip}/24"
    assert again.connect("web", C, "gamma", lab.netns()).ip not in (ep_a.ip, ep_b.ip)

    # b dies while no daemon watches: its namespace, and with it the veth pair, goes away
    again.close()
    lab.kill(ns_b)
    poll(lambda: KernelLinks().link_info(ep_b.veth_host) is None, "the kernel to drop b's veth")
    third = lab.manager()
    report = third.restore()
    assert report.endpoints_dropped == [("web", B)]
    assert ep_b.ip not in third.network("web").allocated
    assert lab.ping(ns_a, third.network("web").gateway)


def test_restore_recreates_a_missing_bridge(lab: Any) -> None:
    mgr = lab.manager()
    net = mgr.create("web", subnet=lab.subnets[1])
    mgr.close()
    KernelLinks().delete_link(net.bridge)
    again = lab.manager()
    assert net.bridge in again.restore().bridges_created
    info = KernelLinks().link_info(net.bridge)
    assert info is not None and info.up and f"{net.gateway}/24" in info.addresses


def test_disconnect_moves_the_default_route_to_another_network(lab: Any) -> None:
    mgr = lab.manager()
    one = mgr.create("one", subnet=lab.subnets[1])
    two = mgr.create("two", subnet=lab.subnets[2])
    ns = lab.netns()
    mgr.connect("one", A, "alpha", ns)
    assert mgr.connect("two", A, "alpha", ns).ifname == "eth1"
    assert _default_gateway(ns) == one.gateway
    mgr.disconnect("one", A)
    assert _default_gateway(ns) == two.gateway


def test_topology_shows_the_bridge_and_the_veth_pairs(lab: Any) -> None:
    mgr = lab.manager()
    net = mgr.create("web", subnet=lab.subnets[1])
    ns = lab.netns()
    ep = mgr.connect("web", A, "alpha", ns)
    topo = mgr.topology("web")
    assert topo["bridge"]["name"] == net.bridge
    assert topo["bridge"]["state"] == "up"
    assert f"{net.gateway}/24" in topo["bridge"]["addresses"]
    [row] = topo["endpoints"]
    assert (row["veth_host"], row["veth_host_state"], row["veth_peer"], row["netns"]) == \
        (ep.veth_host, "up", "eth0", ns)
    assert KernelLinks().link_info(ep.veth_host).master == net.bridge


def _default_gateway(netns: str) -> str | None:
    def q() -> str | None:
        from pyroute2 import IPRoute

        with IPRoute() as ipr:
            for r in ipr.get_routes(family=socket.AF_INET, table=254):
                if r["dst_len"] == 0:
                    return r.get("gateway")
        return None
    return run_in_thread(q, netns=netns)


def test_a_subnet_over_a_host_route_is_refused(lab: Any) -> None:
    mgr = lab.manager()
    route = next(r for r in KernelLinks().host_routes() if not r.device.startswith(lab.tag))
    with pytest.raises(SubnetOverlap) as err:
        mgr.create("clash", subnet=route.dst)
    assert f"the host's route on {route.device}" in str(err.value)
    assert KernelLinks().link_names((lab.tag,)) == []


def test_connect_leaves_the_callers_namespace_alone_and_makes_the_default_bridge(lab: Any) -> None:
    from sandbox.linux.trace import ListSink, Tracer

    sink = ListSink()
    mgr = lab.manager(Tracer(sink))
    mine = os.stat("/proc/thread-self/ns/net").st_ino
    ep = mgr.connect("bridge", A, "alpha", lab.netns())
    assert os.stat("/proc/thread-self/ns/net").st_ino == mine
    ops = sink.ops()  # what the TUI's trace shows, in order
    assert ops.index("bridge.create") < ops.index("veth.create") < ops.index("setns") < ops.index("route.add")
    info = KernelLinks().link_info(lab.tag + "d0")
    assert info is not None and info.kind == "bridge" and f"{ep.gateway}/24" in info.addresses


def test_concurrent_connects_get_distinct_addresses(lab: Any) -> None:
    from concurrent.futures import ThreadPoolExecutor

    mgr = lab.manager()
    mgr.create("busy", subnet=lab.subnets[1])
    spaces = [lab.netns() for _ in range(6)]
    with ThreadPoolExecutor(6) as pool:
        eps = list(pool.map(lambda i: mgr.connect("busy", f"{i:064x}", f"c{i}", spaces[i]), range(6)))
    assert len({e.ip for e in eps}) == 6 and len({e.veth_host for e in eps}) == 6
    assert lab.ping(spaces[0], eps[5].ip)
    assert mgr.leaks() == []
