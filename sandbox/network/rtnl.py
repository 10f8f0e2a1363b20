"""The rtnetlink requests the network manager makes, encoded by hand.

A container's endpoint is three requests: a veth pair (on the host), an address and a
default route (inside the container's namespace). A general netlink library (pyroute2 was
used here before) makes each one a round of pure-Python message classes, parsers and an
event loop: about 4–6 ms of CPU per request on a small VM, against microseconds of kernel
work, and 11 MB and 190 modules in the engine, which every fork of it then copies. Here a
request is a ``struct.pack`` and one ``send``; what comes back is split into (type,
header, attributes) and nothing more. The few dumps (links, addresses, routes) are read
the same way.

A socket belongs to the network namespace it was made in, for its whole life: open an
``Rtnl`` inside a namespace (``netns.call_inside``) to talk to that namespace.
"""

from __future__ import annotations

import errno
import ipaddress
import os
import socket
import struct
from dataclasses import dataclass
from typing import Self

# linux/netlink.h, linux/rtnetlink.h, linux/if_link.h, linux/veth.h
NLMSG_ERROR, NLMSG_DONE = 2, 3
NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP = 0x1, 0x4, 0x300
NLM_F_REPLACE, NLM_F_EXCL, NLM_F_CREATE = 0x100, 0x200, 0x400
RTM_NEWLINK, RTM_DELLINK, RTM_GETLINK = 16, 17, 18
RTM_NEWADDR, RTM_GETADDR, RTM_NEWROUTE, RTM_GETROUTE = 20, 22, 24, 26
IFLA_ADDRESS, IFLA_IFNAME, IFLA_MASTER, IFLA_OPERSTATE, IFLA_LINKINFO, IFLA_NET_NS_FD = 1, 3, 10, 16, 18, 28
IFLA_INFO_KIND, IFLA_INFO_DATA = 1, 2
VETH_INFO_PEER = 1
IFA_ADDRESS, IFA_LOCAL = 1, 2
RTA_DST, RTA_OIF, RTA_GATEWAY, RTA_TABLE = 1, 4, 5, 15
RT_TABLE_MAIN, RTPROT_BOOT, RT_SCOPE_UNIVERSE, RTN_UNICAST = 254, 3, 0, 1
IFF_UP = 0x1
OPERSTATES = ("UNKNOWN", "NOTPRESENT", "DOWN", "LOWERLAYERDOWN", "TESTING", "DORMANT", "UP")
"""IF_OPER_* by value, named as ``ip link`` names them."""

_NLMSGHDR = struct.Struct("=IHHII")
_IFINFOMSG = struct.Struct("=BxHiII")
_IFADDRMSG = struct.Struct("=BBBBi")
_RTMSG = struct.Struct("=BBBBBBBBI")
_RTATTR = struct.Struct("=HH")
_ERRMSG = struct.Struct("=i")


class RtnlError(OSError):
    """The kernel refused a request: ``errno`` is its answer, ``request`` names it."""

    def __init__(self, code: int, request: str) -> None:
        super().__init__(code, f"{request}: {os.strerror(code)}")
        self.request = request


def attr(kind: int, data: bytes) -> bytes:
    """One rtattr, padded to the 4-byte boundary the kernel's parser expects."""
    length = _RTATTR.size + len(data)
    return _RTATTR.pack(length, kind) + data + b"\0" * (-length % 4)


def parse_attrs(data: bytes | memoryview, offset: int = 0) -> dict[int, bytes]:
    """The rtattrs from ``offset`` to the end, by type (the nested flag dropped); the first
    of a repeated type wins. A length that runs past the data ends the parse."""
    out: dict[int, bytes] = {}
    end = len(data)
    while offset + _RTATTR.size <= end:
        length, kind = _RTATTR.unpack_from(data, offset)
        if length < _RTATTR.size or offset + length > end:
            break
        out.setdefault(kind & 0x3FFF, bytes(data[offset + _RTATTR.size:offset + length]))
        offset += (length + 3) & ~3
    return out


def _cstr(raw: bytes | None) -> str:
    return raw.split(b"\0", 1)[0].decode(errors="replace") if raw else ""


@dataclass(frozen=True)
class Link:
    index: int
    name: str
    flags: int
    kind: str
    mac: str
    operstate: str
    master: int


@dataclass(frozen=True)
class RouteEntry:
    dst: str
    dst_len: int
    oif: int
    table: int


def parse_link(payload: bytes) -> Link:
    _, _, index, flags, _ = _IFINFOMSG.unpack_from(payload)
    attrs = parse_attrs(payload, _IFINFOMSG.size)
    info = parse_attrs(attrs[IFLA_LINKINFO]) if IFLA_LINKINFO in attrs else {}
    oper = attrs.get(IFLA_OPERSTATE, b"\0")[0]
    mac = attrs.get(IFLA_ADDRESS, b"")
    return Link(index=index, name=_cstr(attrs.get(IFLA_IFNAME)), flags=flags, kind=_cstr(info.get(IFLA_INFO_KIND)),
                mac=":".join(f"{b:02x}" for b in mac),
                operstate=OPERSTATES[oper] if oper < len(OPERSTATES) else "UNKNOWN",
                master=struct.unpack("=I", attrs[IFLA_MASTER])[0] if IFLA_MASTER in attrs else 0)


def _name(name: str) -> bytes:
    raw = name.encode()
    if not raw or len(raw) > 15 or b"/" in raw or b"\0" in raw:
        raise ValueError(f"invalid interface name {name!r}: 1 to 15 bytes, no '/'")
    return raw + b"\0"


def _mac(mac: str) -> bytes:
    raw = bytes.fromhex(mac.replace(":", ""))
    if len(raw) != 6:
        raise ValueError(f"invalid MAC address {mac!r}")
    return raw


def veth_request(host: str, peer: str, *, peer_netns_fd: int | None = None, peer_mac: str | None = None,
                 master: int = 0, up: bool = True) -> bytes:
    """RTM_NEWLINK for a veth pair: ``host`` here (enslaved to ``master``, up when ``up``),
    ``peer`` born in the namespace of ``peer_netns_fd`` with its final name and MAC, and
    down: veth registers the peer and applies its flags before it ties the two ends
    together, so a peer asked to be born up fails with ENOTCONN. Bring it up from inside."""
    flags = IFF_UP if up else 0
    peer_attrs = attr(IFLA_IFNAME, _name(peer))
    if peer_mac:
        peer_attrs += attr(IFLA_ADDRESS, _mac(peer_mac))
    if peer_netns_fd is not None:
        peer_attrs += attr(IFLA_NET_NS_FD, struct.pack("=I", peer_netns_fd))
    peer_info = _IFINFOMSG.pack(socket.AF_UNSPEC, 0, 0, 0, 0) + peer_attrs
    linkinfo = attr(IFLA_INFO_KIND, b"veth\0") + attr(IFLA_INFO_DATA, attr(VETH_INFO_PEER, peer_info))
    body = _IFINFOMSG.pack(socket.AF_UNSPEC, 0, 0, flags, flags) + attr(IFLA_IFNAME, _name(host))
    if master:
        body += attr(IFLA_MASTER, struct.pack("=I", master))
    return body + attr(IFLA_LINKINFO, linkinfo)


def addr_request(index: int, address: str, prefixlen: int) -> bytes:
    """RTM_NEWADDR of an IPv4 address: local and peer address alike, as ``ip addr add``."""
    packed = ipaddress.IPv4Address(address).packed
    if not 0 <= prefixlen <= 32:
        raise ValueError(f"invalid prefix length {prefixlen}")
    return (_IFADDRMSG.pack(socket.AF_INET, prefixlen, 0, RT_SCOPE_UNIVERSE, index)
            + attr(IFA_LOCAL, packed) + attr(IFA_ADDRESS, packed))


def default_route_request(gateway: str) -> bytes:
    """RTM_NEWROUTE for 0.0.0.0/0 via ``gateway`` in the main table."""
    return (_RTMSG.pack(socket.AF_INET, 0, 0, 0, RT_TABLE_MAIN, RTPROT_BOOT, RT_SCOPE_UNIVERSE, RTN_UNICAST, 0)
            + attr(RTA_GATEWAY, ipaddress.IPv4Address(gateway).packed))


def link_name_request(name: str) -> bytes:
    """An ifinfomsg naming one link: what RTM_DELLINK and RTM_GETLINK by name send."""
    return _IFINFOMSG.pack(socket.AF_UNSPEC, 0, 0, 0, 0) + attr(IFLA_IFNAME, _name(name))


def bridge_request(name: str) -> bytes:
    linkinfo = attr(IFLA_INFO_KIND, b"bridge\0")
    return _IFINFOMSG.pack(socket.AF_UNSPEC, 0, 0, 0, 0) + attr(IFLA_IFNAME, _name(name)) + attr(IFLA_LINKINFO, linkinfo)


def up_request(index: int) -> bytes:
    return _IFINFOMSG.pack(socket.AF_UNSPEC, 0, index, IFF_UP, IFF_UP)


class Rtnl:
    """One NETLINK_ROUTE socket, in the network namespace of the thread that opened it.
    Requests are sent one at a time and each waits for its ACK."""

    def __init__(self) -> None:
        self._sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW | socket.SOCK_CLOEXEC, socket.NETLINK_ROUTE)
        self._sock.bind((0, 0))
        self._seq = 0

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._sock.close()

    def request(self, kind: int, flags: int, body: bytes, what: str) -> list[tuple[int, bytes]]:
        """Send one request and read until the kernel is done with it: its ACK (or error)
        for a change, NLMSG_DONE for a dump. Returns the (type, payload) of every other
        message that answered it; raises ``RtnlError`` with the kernel's errno."""
        self._seq += 1
        seq = self._seq
        msg = _NLMSGHDR.pack(_NLMSGHDR.size + len(body), kind, NLM_F_REQUEST | NLM_F_ACK | flags, seq, 0) + body
        self._sock.send(msg)
        answers: list[tuple[int, bytes]] = []
        while True:
            data = self._sock.recv(1 << 16)
            offset = 0
            while offset + _NLMSGHDR.size <= len(data):
                length, mtype, _, rseq, _ = _NLMSGHDR.unpack_from(data, offset)
                if length < _NLMSGHDR.size or offset + length > len(data):
                    raise RtnlError(errno.EBADMSG, what)
                if rseq == seq:
                    if mtype == NLMSG_ERROR:
                        (code,) = _ERRMSG.unpack_from(data, offset + _NLMSGHDR.size)
                        if code:
                            raise RtnlError(-code, what)
                        return answers
                    if mtype == NLMSG_DONE:
                        return answers
                    answers.append((mtype, data[offset + _NLMSGHDR.size:offset + length]))
                offset += (length + 3) & ~3

    def add_veth(self, host: str, peer: str, *, peer_netns_fd: int | None = None, peer_mac: str | None = None,
                 master: int = 0, up: bool = True) -> None:
        body = veth_request(host, peer, peer_netns_fd=peer_netns_fd, peer_mac=peer_mac, master=master, up=up)
        self.request(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, body, f"create veth {host}")

    def add_address(self, index: int, address: str, prefixlen: int) -> None:
        self.request(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, addr_request(index, address, prefixlen),
                     f"add address {address}/{prefixlen}")

    def replace_default_route(self, gateway: str) -> None:
        self.request(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, default_route_request(gateway),
                     f"default route via {gateway}")

    def delete_link(self, name: str) -> None:
        self.request(RTM_DELLINK, 0, link_name_request(name), f"delete link {name}")

    def add_bridge(self, name: str) -> None:
        self.request(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, bridge_request(name), f"create bridge {name}")

    def set_up(self, index: int) -> None:
        self.request(RTM_NEWLINK, 0, up_request(index), f"set link {index} up")

    # -- queries ---------------------------------------------------------------------------

    def links(self) -> list[Link]:
        got = self.request(RTM_GETLINK, NLM_F_DUMP, _IFINFOMSG.pack(socket.AF_UNSPEC, 0, 0, 0, 0), "list links")
        return [parse_link(p) for t, p in got if t == RTM_NEWLINK]

    def _get_link(self, body: bytes, what: str) -> Link | None:
        try:
            got = self.request(RTM_GETLINK, 0, body, what)
        except RtnlError as e:
            if e.errno == errno.ENODEV:
                return None
            raise
        return next((parse_link(p) for t, p in got if t == RTM_NEWLINK), None)

    def link(self, name: str) -> Link | None:
        """One link by name; None when there is none."""
        return self._get_link(link_name_request(name), f"get link {name}")

    def link_name(self, index: int) -> str | None:
        """The name of link ``index``; None when there is none."""
        link = self._get_link(_IFINFOMSG.pack(socket.AF_UNSPEC, 0, index, 0, 0), f"get link {index}")
        return link.name if link is not None else None

    def addresses(self, index: int) -> list[str]:
        """The IPv4 addresses of link ``index`` as ``a.b.c.d/len``."""
        got = self.request(RTM_GETADDR, NLM_F_DUMP, _IFADDRMSG.pack(socket.AF_INET, 0, 0, 0, 0),
                           f"list addresses of link {index}")
        out = []
        for t, p in got:
            family, prefixlen, _, _, where = _IFADDRMSG.unpack_from(p)
            if t != RTM_NEWADDR or family != socket.AF_INET or where != index:
                continue
            attrs = parse_attrs(p, _IFADDRMSG.size)
            raw = attrs.get(IFA_ADDRESS) or attrs.get(IFA_LOCAL)
            if raw and len(raw) == 4:
                out.append(f"{ipaddress.IPv4Address(raw)}/{prefixlen}")
        return out

    def routes(self) -> list[RouteEntry]:
        """Every IPv4 route of every table."""
        got = self.request(RTM_GETROUTE, NLM_F_DUMP, _RTMSG.pack(socket.AF_INET, 0, 0, 0, 0, 0, 0, 0, 0),
                           "list routes")
        out = []
        for t, p in got:
            family, dst_len, _, _, table, _, _, _, _ = _RTMSG.unpack_from(p)
            if t != RTM_NEWROUTE or family != socket.AF_INET:
                continue
            attrs = parse_attrs(p, _RTMSG.size)
            if RTA_TABLE in attrs:
                table = struct.unpack("=I", attrs[RTA_TABLE])[0]
            dst = str(ipaddress.IPv4Address(attrs[RTA_DST])) if len(attrs.get(RTA_DST, b"")) == 4 else "0.0.0.0"
            oif = struct.unpack("=I", attrs[RTA_OIF])[0] if RTA_OIF in attrs else 0
            out.append(RouteEntry(dst, dst_len, oif, table))
        return out
