"""The few rtnetlink requests a container start makes, encoded by hand.

A container's endpoint is three requests: a veth pair (on the host), an address and a
default route (inside the container's namespace). pyroute2 makes each one a round of
pure-Python message classes, parsers and an event loop per ``IPRoute``: about 6 ms of CPU
per request on a small VM, against microseconds of kernel work. Here a request is a
``struct.pack`` and one ``send``, and the only thing read back is the kernel's ACK.

Queries (dumps of links, addresses, routes) and rarely used changes stay on pyroute2 in
``sandbox.network.netlink``: they are off the start path, and parsing dumps is what
pyroute2 is for.

A socket belongs to the network namespace it was made in, for its whole life: open an
``Rtnl`` inside a namespace (``netns.call_inside``) to change that namespace.
"""

from __future__ import annotations

import errno
import ipaddress
import os
import socket
import struct
from typing import Self

# linux/netlink.h, linux/rtnetlink.h, linux/if_link.h, linux/veth.h
NLMSG_ERROR = 2
NLM_F_REQUEST, NLM_F_ACK = 0x1, 0x4
NLM_F_REPLACE, NLM_F_EXCL, NLM_F_CREATE = 0x100, 0x200, 0x400
RTM_NEWLINK, RTM_DELLINK, RTM_NEWADDR, RTM_NEWROUTE = 16, 17, 20, 24
IFLA_ADDRESS, IFLA_IFNAME, IFLA_MASTER, IFLA_LINKINFO, IFLA_NET_NS_FD = 1, 3, 10, 18, 28
IFLA_INFO_KIND, IFLA_INFO_DATA = 1, 2
VETH_INFO_PEER = 1
IFA_ADDRESS, IFA_LOCAL = 1, 2
RTA_GATEWAY = 5
RT_TABLE_MAIN, RTPROT_BOOT, RT_SCOPE_UNIVERSE, RTN_UNICAST = 254, 3, 0, 1
IFF_UP = 0x1

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


def dellink_request(name: str) -> bytes:
    return _IFINFOMSG.pack(socket.AF_UNSPEC, 0, 0, 0, 0) + attr(IFLA_IFNAME, _name(name))


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

    def request(self, kind: int, flags: int, body: bytes, what: str) -> None:
        self._seq += 1
        seq = self._seq
        msg = _NLMSGHDR.pack(_NLMSGHDR.size + len(body), kind, NLM_F_REQUEST | NLM_F_ACK | flags, seq, 0) + body
        self._sock.send(msg)
        while True:
            data = self._sock.recv(65536)
            offset = 0
            while offset + _NLMSGHDR.size <= len(data):
                length, mtype, _, rseq, _ = _NLMSGHDR.unpack_from(data, offset)
                if length < _NLMSGHDR.size:
                    raise RtnlError(errno.EBADMSG, what)
                if mtype == NLMSG_ERROR and rseq == seq:
                    (code,) = _ERRMSG.unpack_from(data, offset + _NLMSGHDR.size)
                    if code:
                        raise RtnlError(-code, what)
                    return
                offset += (length + 3) & ~3

    def add_veth(self, host: str, peer: str, **kw: object) -> None:
        self.request(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, veth_request(host, peer, **kw),  # type: ignore[arg-type]
                     f"create veth {host}")

    def add_address(self, index: int, address: str, prefixlen: int) -> None:
        self.request(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, addr_request(index, address, prefixlen),
                     f"add address {address}/{prefixlen}")

    def replace_default_route(self, gateway: str) -> None:
        self.request(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, default_route_request(gateway),
                     f"default route via {gateway}")

    def delete_link(self, name: str) -> None:
        self.request(RTM_DELLINK, 0, dellink_request(name), f"delete link {name}")
