"""What the network manager asks of the kernel's links, behind one interface.

``Links`` is the interface; ``sandbox.network.netlink.KernelLinks`` talks rtnetlink
(``sandbox.network.rtnl``), and ``sandbox.network.fake.FakeLinks`` keeps devices in memory
so the manager's logic (IPAM, persistence, hosts files, errors) is tested without root.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class BridgePlan:
    name: str
    gateway: str
    prefixlen: int
    forwarding: bool = False
    """Per-interface IPv4 forwarding on the bridge. Off, packets that arrive on it are never
    routed to another interface: containers reach their own network and the host, not other
    networks nor the outside. Only the classroom VM's masquerade option turns it on."""


@dataclass(frozen=True)
class VethPlan:
    """One endpoint: a veth pair whose host end joins ``bridge`` and whose peer, renamed
    ``ifname``, lives in the namespace ``netns`` with ``ip/prefixlen`` and ``mac``."""

    bridge: str
    veth_host: str
    netns: str
    ifname: str
    ip: str
    prefixlen: int
    mac: str
    gateway: str | None = None
    """Install the default route via this address, when given."""


@dataclass(frozen=True)
class LinkInfo:
    name: str
    index: int
    kind: str
    up: bool
    operstate: str
    mac: str
    master: str | None = None
    addresses: tuple[str, ...] = field(default_factory=tuple)
    """IPv4 addresses as ``a.b.c.d/len``."""


@dataclass(frozen=True)
class Route:
    dst: str
    device: str


class Links(Protocol):
    def host_routes(self) -> list[Route]: ...
    def ensure_bridge(self, plan: BridgePlan) -> bool: ...
    def delete_link(self, name: str) -> bool: ...
    def link_info(self, name: str) -> LinkInfo | None: ...
    def link_names(self, prefixes: tuple[str, ...]) -> list[str]: ...
    def add_endpoint(self, plan: VethPlan) -> None: ...
    def set_default_route(self, netns: str, gateway: str) -> None: ...
