"""The hand-packed rtnetlink requests: their bytes (no root), and the kernel's answers (root)."""

from __future__ import annotations

import errno
import socket
import struct
from typing import Any

import pytest

from sandbox.errors import NetlinkFailed
from sandbox.network import rtnl
from sandbox.network.netns import run_in_thread


def _attrs(data: bytes) -> dict[int, bytes]:
    out, offset = {}, 0
    while offset < len(data):
        length, kind = struct.unpack_from("=HH", data, offset)
        assert length >= 4, "an attribute shorter than its header"
        out[kind] = data[offset + 4:offset + length]
        offset += (length + 3) & ~3
    return out


def test_veth_request_puts_the_peer_in_the_namespace_with_its_name_and_mac() -> None:
    body = rtnl.veth_request("sbxh0", "eth0", peer_netns_fd=7, peer_mac="02:42:ac:11:00:02", master=12)
    family, _, index, flags, change = struct.unpack_from("=BxHiII", body)
    assert (family, index, flags & rtnl.IFF_UP, change & rtnl.IFF_UP) == (socket.AF_UNSPEC, 0, 1, 1)
    top = _attrs(body[16:])
    assert top[rtnl.IFLA_IFNAME] == b"sbxh0\0"
    assert struct.unpack("=I", top[rtnl.IFLA_MASTER]) == (12,)
    info = _attrs(top[rtnl.IFLA_LINKINFO])
    assert info[rtnl.IFLA_INFO_KIND] == b"veth\0"
    peer = _attrs(info[rtnl.IFLA_INFO_DATA])[rtnl.VETH_INFO_PEER]
    # the peer's own flags stay 0: veth cannot bring up a peer it has not tied yet
    assert struct.unpack_from("=BxHiII", peer)[3:] == (0, 0)
    peer_attrs = _attrs(peer[16:])
    assert peer_attrs[rtnl.IFLA_IFNAME] == b"eth0\0"
    assert peer_attrs[rtnl.IFLA_ADDRESS] == bytes.fromhex("0242ac110002")
    assert struct.unpack("=I", peer_attrs[rtnl.IFLA_NET_NS_FD]) == (7,)


def test_attributes_are_padded_to_four_bytes() -> None:
    assert rtnl.attr(1, b"abcde") == struct.pack("=HH", 9, 1) + b"abcde\0\0\0"
    assert len(rtnl.attr(1, b"abcd")) == 8


def test_address_and_route_requests() -> None:
    body = rtnl.addr_request(5, "10.213.0.2", 24)
    assert struct.unpack_from("=BBBBi", body) == (socket.AF_INET, 24, 0, 0, 5)
    attrs = _attrs(body[8:])
    assert attrs[rtnl.IFA_LOCAL] == attrs[rtnl.IFA_ADDRESS] == bytes([10, 213, 0, 2])
    route = rtnl.default_route_request("10.213.0.1")
    assert struct.unpack_from("=BBBBBBBBI", route)[:5] == (socket.AF_INET, 0, 0, 0, rtnl.RT_TABLE_MAIN)
    assert _attrs(route[12:])[rtnl.RTA_GATEWAY] == bytes([10, 213, 0, 1])


@pytest.mark.parametrize("bad", ["", "x" * 16, "a/b", "a\0b"])
def test_an_invalid_interface_name_is_refused_before_the_kernel_sees_it(bad: str) -> None:
    with pytest.raises(ValueError, match="invalid interface name"):
        rtnl.link_name_request(bad)


@pytest.mark.parametrize("call", [lambda: rtnl.veth_request("a", "b", peer_mac="02:42"),
                                  lambda: rtnl.addr_request(1, "10.0.0.300", 24),
                                  lambda: rtnl.addr_request(1, "10.0.0.1", 33)])
def test_a_bad_mac_address_or_prefix_is_refused(call: Any) -> None:
    with pytest.raises(ValueError):
        call()


@pytest.mark.root
def test_the_kernels_refusal_comes_back_as_its_errno(tag: str) -> None:
    def delete_missing() -> None:
        with rtnl.Rtnl() as nl:
            nl.delete_link(tag + "zz")
    with pytest.raises(rtnl.RtnlError) as err:
        run_in_thread(delete_missing)
    assert err.value.errno == errno.ENODEV
    assert tag + "zz" in str(err.value)


def _plan(lab: Any, bridge: str, host: str, index: int) -> Any:
    import ipaddress

    from sandbox.network.links import VethPlan

    net = ipaddress.IPv4Network(lab.subnets[1])
    ip = str(net.network_address + index)
    return VethPlan(bridge, host, lab.netns(), "eth0", ip, net.prefixlen, f"02:42:0a:00:00:{index:02x}",
                    gateway=str(net.network_address + 1))


def _bridge(lab: Any, links: Any, name: str) -> str:
    """A bridge on the lab's second subnet, its gateway the first address."""
    import ipaddress

    from sandbox.network.links import BridgePlan

    net = ipaddress.IPv4Network(lab.subnets[1])
    links.ensure_bridge(BridgePlan(name, str(net.network_address + 1), net.prefixlen))
    return name


@pytest.mark.root
def test_a_veth_is_made_up_and_enslaved_and_deleted(lab: Any, tag: str) -> None:
    """Through ``KernelLinks``, which sends these requests: the links as the kernel lists them.
    Every device carries the test's tag, and the ``lab`` fixture sweeps them in teardown."""
    import ipaddress

    from sandbox.network.netlink import KernelLinks

    links = KernelLinks()
    bridge, host = _bridge(lab, links, tag + "r0"), tag + "rv"
    plan = _plan(lab, bridge, host, 2)
    links.add_endpoint(plan)
    info = links.link_info(host)
    assert info is not None and (info.kind, info.up, info.master) == ("veth", True, bridge)

    def inside() -> tuple[int, list[str], str | None]:
        import fcntl

        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            ifreq = fcntl.ioctl(s, 0x8913, struct.pack("16s24x", b"eth0"))  # SIOCGIFFLAGS
        finally:
            s.close()
        with open("/proc/thread-self/net/route") as f:
            rows = [line.split() for line in f.read().splitlines()[1:]]
        gateway = next((r[2] for r in rows if r[1] == "00000000"), None)
        with open("/proc/thread-self/net/fib_trie") as f:
            trie = f.read()
        return struct.unpack_from("H", ifreq, 16)[0], [plan.ip] if plan.ip in trie else [], gateway
    flags, addresses, gateway = run_in_thread(inside, netns=plan.netns)
    assert flags & rtnl.IFF_UP
    assert addresses == [plan.ip]
    assert gateway == ipaddress.IPv4Address(plan.gateway).packed[::-1].hex().upper()
    assert links.delete_link(host) is True
    assert links.link_info(host) is None
    assert links.delete_link(host) is False  # gone already: not an error


@pytest.mark.root
def test_a_second_veth_with_the_same_name_is_refused_with_the_devices_name(lab: Any, tag: str) -> None:

    from sandbox.network.netlink import KernelLinks

    links = KernelLinks()
    bridge, host = _bridge(lab, links, tag + "r1"), tag + "rw"
    links.add_endpoint(_plan(lab, bridge, host, 2))
    with pytest.raises(NetlinkFailed) as err:
        links.add_endpoint(_plan(lab, bridge, host, 3))
    assert err.value.errno == errno.EEXIST
    assert host in err.value.message
    assert links.link_info(host) is not None  # the first one is untouched


def _pyroute2_view() -> tuple[list[str], list[str], Any, list[str]]:
    from pyroute2 import IPRoute

    with IPRoute() as ipr:
        names = {m["index"]: m.get("ifname") for m in ipr.get_links()}
        routes = sorted(f"{r.get('dst')}/{r['dst_len']} {names.get(r.get('oif'), '?')}"
                        for r in ipr.get_routes(family=socket.AF_INET, table=254) if r["dst_len"])
        lo = ipr.get_links(ifname="lo")[0]
        lo_addrs = sorted(f"{a.get('address')}/{a['prefixlen']}"
                          for a in ipr.get_addr(index=lo["index"], family=socket.AF_INET))
    return routes, sorted(names.values()), (lo["index"], True, lo.get("address"), lo.get("operstate")), lo_addrs


def _our_view() -> tuple[list[str], list[str], Any, list[str]]:
    from sandbox.network.netlink import KernelLinks

    links = KernelLinks()
    info = links.link_info("lo")
    assert info is not None
    return (sorted(f"{r.dst} {r.device}" for r in links.host_routes()), links.link_names(("",)),
            (info.index, info.up, info.mac, info.operstate), sorted(info.addresses))


def test_the_dumps_agree_with_pyroute2() -> None:
    """pyroute2 (a test dependency only) as an independent reader of the same kernel tables.
    Other processes may add or remove a link between the two reads: a few tries are allowed
    for the two snapshots to meet, never a difference that stays."""
    from sandbox.network.netlink import KernelLinks

    for _ in range(5):
        theirs, ours = _pyroute2_view(), _our_view()
        if ours == theirs:
            break
    assert ours == theirs
    assert "lo" in ours[1]
    assert KernelLinks().link_info("sbx-no-such") is None
