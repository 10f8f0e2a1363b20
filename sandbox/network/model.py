"""The records the network manager keeps: networks, their endpoints, published ports.

Plain dataclasses with ``to_dict``/``from_dict`` so ``store`` can write them as JSON and a
restarted daemon reads back exactly what it had. Nothing here touches the kernel.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

PREDEFINED = ("bridge", "host", "none")
"""Docker's three networks that always exist and may not be created or removed."""

DRIVER_BRIDGE = "bridge"
DRIVER_HOST = "host"
DRIVER_NULL = "null"


@dataclass
class EndpointRecord:
    """One container's attachment to one network, as persisted."""

    container_id: str
    container_name: str
    endpoint_id: str
    ip: str
    mac: str
    ifname: str
    """The interface name inside the container: eth0 for its first network, eth1 …"""
    veth_host: str
    """The host end of the veth pair, a port of the network's bridge."""
    netns: str
    aliases: list[str] = field(default_factory=list)
    hostname: str = ""
    default_route: bool = False
    """True when this endpoint's gateway is the container's default route."""

    def to_dict(self) -> dict[str, Any]:
        # By hand, not dataclasses.asdict: that deep-copies recursively and was the slowest
        # part of saving a network with many endpoints on every connect.
        d = dict(self.__dict__)
        d["aliases"] = list(self.aliases)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> EndpointRecord:
        return cls(**{k: d[k] for k in cls.__dataclass_fields__ if k in d})


@dataclass
class Network:
    """A network as persisted: identity, addressing, its bridge and its IPAM state."""

    id: str
    name: str
    driver: str
    created: str
    subnet: str = ""
    gateway: str = ""
    bridge: str = ""
    """The Linux bridge device; empty for the host and none pseudo-networks."""
    internal: bool = False
    labels: dict[str, str] = field(default_factory=dict)
    user_subnet: bool = False
    """The subnet was given by the user (``--subnet``): only then may containers ask for an ``--ip``."""
    allocated: dict[str, str] = field(default_factory=dict)
    """IPAM state: address -> container id holding it (the gateway is never in here)."""
    endpoints: dict[str, EndpointRecord] = field(default_factory=dict)
    """container id -> its endpoint on this network."""

    @property
    def predefined(self) -> bool:
        return self.name in PREDEFINED

    @property
    def resolves_names(self) -> bool:
        """User-defined bridge networks resolve container names; the default bridge does not
        (Docker kept the legacy ``--link`` behaviour there)."""
        return self.driver == DRIVER_BRIDGE and not self.predefined

    def to_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d["labels"] = dict(self.labels)
        d["allocated"] = dict(self.allocated)
        d["endpoints"] = {cid: ep.to_dict() for cid, ep in self.endpoints.items()}
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Network:
        plain = {k: d[k] for k in cls.__dataclass_fields__ if k in d and k != "endpoints"}
        net = cls(**plain)
        net.endpoints = {cid: EndpointRecord.from_dict(ep) for cid, ep in (d.get("endpoints") or {}).items()}
        return net


@dataclass(frozen=True)
class Endpoint:
    """What ``connect`` returns: everything the engine needs for the container's inspect."""

    network_id: str
    network_name: str
    container_id: str
    endpoint_id: str
    ip: str
    prefixlen: int
    gateway: str
    mac: str
    ifname: str
    veth_host: str
    aliases: tuple[str, ...] = ()

    @classmethod
    def of(cls, net: Network, rec: EndpointRecord) -> Endpoint:
        return cls(network_id=net.id, network_name=net.name, container_id=rec.container_id,
                   endpoint_id=rec.endpoint_id, ip=rec.ip, prefixlen=int(net.subnet.split("/")[1]),
                   gateway=net.gateway, mac=rec.mac, ifname=rec.ifname, veth_host=rec.veth_host,
                   aliases=tuple(rec.aliases))


@dataclass(frozen=True)
class PortBinding:
    """One published port: ``host_ip:host_port`` on the host relays to ``container_ip:container_port``."""

    container_id: str
    host_ip: str
    host_port: int
    container_ip: str
    container_port: int
    proto: str = "tcp"

    @property
    def key(self) -> tuple[str, int, str]:
        """What may be bound only once on the host."""
        return (self.host_ip, self.host_port, self.proto)

    def describe(self) -> str:
        """``docker port``'s line: ``80/tcp -> 0.0.0.0:18080``."""
        return f"{self.container_port}/{self.proto} -> {self.host_ip}:{self.host_port}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> PortBinding:
        return cls(**{k: d[k] for k in cls.__dataclass_fields__ if k in d})
