"""The network picture's data, from ``GET /sandbox/networks/{id}/topology``: the bridge,
one veth pair per attached container (host end on the bridge, ``eth0`` inside), the
addresses, and the published ports. Reads the topology's names (``veth_host``,
``veth_peer``, ``ipv4`` as ``address/prefix``) and the network manager's record names
(``ifname``, ``ip``), and tolerates missing parts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class VethRow:
    container: str
    container_id: str
    ifname: str
    """Inside the container: eth0, eth1 …"""
    host_ifname: str
    """The host end, a port of the bridge."""
    ip: str
    prefixlen: int | None
    mac: str
    state: str = ""
    """The host end's link state (``up``, ``down``, ``missing``)."""


@dataclass(frozen=True)
class PortRow:
    host_ip: str
    host_port: int
    container_port: int
    proto: str
    container: str
    connections: int | None = None
    """Open through the port now (the userspace proxy counts them)."""


@dataclass(frozen=True)
class NetworkView:
    name: str
    id: str
    driver: str
    subnet: str
    gateway: str
    bridge: str
    bridge_state: str
    bridge_address: str
    endpoints: tuple[VethRow, ...]
    ports: tuple[PortRow, ...]


def _endpoints(value: Any) -> list[Mapping[str, Any]]:
    if isinstance(value, Mapping):
        return [v for v in value.values() if isinstance(v, Mapping)]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, Mapping)]
    return []


def _ip(ep: Mapping[str, Any]) -> tuple[str, int | None]:
    raw = str(ep.get("ipv4") or ep.get("ip") or ep.get("address") or ep.get("IPv4Address") or "")
    addr, _, prefix = raw.partition("/")
    plen = ep.get("prefixlen")
    if plen is None and prefix.isdigit():
        plen = int(prefix)
    return addr, int(plen) if plen is not None else None


def build_view(data: Mapping[str, Any]) -> NetworkView:
    net = data.get("network") or data
    bridge = data.get("bridge") or {}
    if isinstance(bridge, str):
        bridge = {"name": bridge}
    addresses = bridge.get("addresses") or []
    bridge_address = str(bridge.get("address") or (addresses[0] if addresses else ""))
    names: dict[str, str] = {}
    rows = []
    for ep in _endpoints(data.get("endpoints") or net.get("endpoints")):
        cid = str(ep.get("container_id") or "")
        name = str(ep.get("container_name") or ep.get("name") or cid[:12])
        names[cid] = name
        ip, plen = _ip(ep)
        rows.append(VethRow(name, cid, str(ep.get("veth_peer") or ep.get("ifname") or "eth0"),
                            str(ep.get("veth_host") or ep.get("host_ifname") or "?"), ip, plen, str(ep.get("mac") or ""),
                            str(ep.get("veth_host_state") or "")))
    rows.sort(key=lambda r: r.container)
    ports = tuple(sorted((PortRow(str(p.get("host_ip") or "0.0.0.0"), int(p.get("host_port") or 0),
                                  int(p.get("container_port") or 0), str(p.get("proto") or "tcp"),
                                  names.get(str(p.get("container_id") or ""), str(p.get("container") or "")),
                                  p.get("connections") if isinstance(p.get("connections"), int) else None)
                          for p in data.get("ports") or [] if isinstance(p, Mapping)),
                         key=lambda p: (p.host_port, p.proto)))
    return NetworkView(name=str(net.get("name") or ""), id=str(net.get("id") or ""), driver=str(net.get("driver") or ""),
                       subnet=str(net.get("subnet") or ""), gateway=str(net.get("gateway") or ""),
                       bridge=str(bridge.get("name") or net.get("bridge") or ""),
                       bridge_state=str(bridge.get("state") or ""), bridge_address=bridge_address, endpoints=tuple(rows), ports=ports)
