"""IP address management: subnets for networks, addresses for endpoints. Pure functions.

A network's subnet is either given (``--subnet``) or the first free block of the pool;
the gateway is the subnet's first host address unless given. Endpoint addresses are the
lowest free host addresses after it. The state they read and change lives in
``Network.allocated``, so it is persisted with the network and survives a restart.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network

from sandbox.errors import AddressExhausted, AddressInUse, InvalidNetworkConfig, SubnetOverlap
from sandbox.network.model import Network


@dataclass(frozen=True)
class TakenRange:
    """A subnet already in use, and who uses it (a network's name or a host route)."""

    subnet: IPv4Network
    owner: str


def parse_subnet(text: str) -> IPv4Network:
    """``10.1.2.0/24`` -> the network. Host bits set (``10.1.2.3/24``) or a missing prefix
    length are refused: Docker refuses them too, and a silent fix-up would hide a typo."""
    if "/" not in text:
        raise InvalidNetworkConfig("CIDR address", text, "a subnet needs a prefix length",
                                   "write it like 10.20.0.0/24")
    try:
        net = ipaddress.ip_network(text, strict=True)
    except ValueError as e:
        raise InvalidNetworkConfig("CIDR address", text, str(e), "write it like 10.20.0.0/24") from None
    if not isinstance(net, IPv4Network):
        raise InvalidNetworkConfig("CIDR address", text, "only IPv4 subnets are supported")
    if net.prefixlen > 30:
        raise InvalidNetworkConfig("CIDR address", text, "too small: a /30 or larger leaves room for a "
                                   "gateway and a container")
    if net.prefixlen < 8:
        raise InvalidNetworkConfig("CIDR address", text, "larger than a /8 is not supported")
    return net


def parse_address(text: str, field: str = "IP address") -> IPv4Address:
    try:
        addr = ipaddress.ip_address(text)
    except ValueError:
        raise InvalidNetworkConfig(field, text, "not an IP address") from None
    if not isinstance(addr, IPv4Address):
        raise InvalidNetworkConfig(field, text, "only IPv4 addresses are supported")
    return addr


def host_address(subnet: IPv4Network, address: IPv4Address, field: str) -> IPv4Address:
    """Check that ``address`` may be given to a host of ``subnet`` (not its network or
    broadcast address), or say why not."""
    if address not in subnet:
        raise InvalidNetworkConfig(field, str(address), f"not in subnet {subnet}")
    if address in (subnet.network_address, subnet.broadcast_address):
        raise InvalidNetworkConfig(field, str(address), f"the network or broadcast address of {subnet}")
    return address


def check_overlap(subnet: IPv4Network, taken: Iterable[TakenRange], new_name: str | None = None) -> None:
    for other in taken:
        if subnet.overlaps(other.subnet):
            raise SubnetOverlap(str(subnet), str(other.subnet), other.owner, new_name)


def pick_subnet(pool: IPv4Network, prefixlen: int, taken: Iterable[TakenRange]) -> IPv4Network:
    """The first block of ``pool`` of size ``prefixlen`` that overlaps nothing taken."""
    used = [t.subnet for t in taken]
    for candidate in pool.subnets(new_prefix=prefixlen):
        if not any(candidate.overlaps(u) for u in used):
            return candidate
    raise AddressExhausted(f"every /{prefixlen} of the pool {pool} is used",
                           "remove unused networks (`docker network prune`) or give --subnet")


def allocate(net: Network, container_id: str, wanted: str | None = None) -> str:
    """Take an address of ``net`` for ``container_id`` and record it in ``net.allocated``."""
    subnet = ipaddress.IPv4Network(net.subnet)
    gateway = IPv4Address(net.gateway)
    if wanted is not None:
        if not net.user_subnet:
            raise InvalidNetworkConfig("IP address", wanted, "user specified IP address is supported only "
                                       "when connecting to networks with user configured subnets")
        addr = host_address(subnet, parse_address(wanted), "IP address")
        holder = "the gateway" if addr == gateway else net.allocated.get(str(addr))
        if holder is not None:
            raise AddressInUse(str(addr), net.name, holder)
        net.allocated[str(addr)] = container_id
        return str(addr)
    for addr in subnet.hosts():
        if addr != gateway and str(addr) not in net.allocated:
            net.allocated[str(addr)] = container_id
            return str(addr)
    raise AddressExhausted(f"network {net.name} ({net.subnet}) is full",
                           "disconnect containers or use a network with a larger subnet")


def release(net: Network, address: str) -> None:
    net.allocated.pop(address, None)


def mac_for(address: str) -> str:
    """A locally administered MAC derived from the IPv4 address (``02:42:`` + its four bytes),
    as Docker did for years: the same address always has the same MAC, so a neighbour's
    stale ARP entry for a reused address is still right."""
    return "02:42:" + ":".join(f"{b:02x}" for b in IPv4Address(address).packed)
