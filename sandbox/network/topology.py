"""What the TUI's network map draws: a bridge, its veth pairs, addresses, namespaces, ports."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sandbox.network.links import LinkInfo
from sandbox.network.model import Network, PortBinding


def _link_state(info: LinkInfo | None) -> dict[str, Any]:
    if info is None:
        return {"state": "missing", "operstate": "", "mac": "", "addresses": []}
    return {"state": "up" if info.up else "down", "operstate": info.operstate, "mac": info.mac,
            "addresses": list(info.addresses)}


def build(net: Network, link: Callable[[str], LinkInfo | None], ports: list[PortBinding],
          connections: Callable[[PortBinding], tuple[int, int]]) -> dict[str, Any]:
    prefixlen = net.subnet.split("/")[1] if net.subnet else ""
    bridge = {"name": net.bridge, **_link_state(link(net.bridge))} if net.bridge else None
    endpoints = []
    for cid, ep in sorted(net.endpoints.items(), key=lambda kv: kv[1].ip):
        host = link(ep.veth_host)
        endpoints.append({
            "container_id": cid,
            "container_name": ep.container_name,
            "endpoint_id": ep.endpoint_id,
            "veth_host": ep.veth_host,
            "veth_host_state": _link_state(host)["state"],
            "veth_peer": ep.ifname,
            "ipv4": f"{ep.ip}/{prefixlen}",
            "mac": ep.mac,
            "gateway": net.gateway,
            "default_route": ep.default_route,
            "netns": ep.netns,
            "aliases": list(ep.aliases),
        })
    on_net = set(net.endpoints)
    ips = {ep.ip for ep in net.endpoints.values()}
    port_rows = []
    for b in ports:
        if b.container_id in on_net and b.container_ip in ips:
            open_now, total = connections(b)
            port_rows.append({**b.to_dict(), "describe": b.describe(), "connections": open_now,
                              "accepted": total})
    return {
        "network": {"id": net.id, "name": net.name, "driver": net.driver, "subnet": net.subnet,
                    "gateway": net.gateway, "internal": net.internal,
                    "resolves_names": net.resolves_names},
        "bridge": bridge,
        "endpoints": endpoints,
        "ports": port_rows,
    }
