"""Networks in the shapes of Docker's ``GET /networks`` and ``GET /networks/{id}``."""

from __future__ import annotations

from typing import Any

from sandbox.network.model import DRIVER_BRIDGE, Network


def network_json(net: Network, *, containers: bool = True) -> dict[str, Any]:
    """Docker's network object. ``containers=False`` gives the list form (Docker leaves
    ``Containers`` empty in ``GET /networks``)."""
    prefixlen = net.subnet.split("/")[1] if net.subnet else ""
    ipam_config = [{"Subnet": net.subnet, "Gateway": net.gateway}] if net.subnet else []
    options: dict[str, str] = {}
    if net.driver == DRIVER_BRIDGE:
        options["com.docker.network.bridge.name"] = net.bridge
        if net.name == "bridge":
            options["com.docker.network.bridge.default_bridge"] = "true"
    return {
        "Name": net.name,
        "Id": net.id,
        "Created": net.created,
        "Scope": "local",
        "Driver": net.driver,
        "EnableIPv6": False,
        "IPAM": {"Driver": "default", "Options": {}, "Config": ipam_config},
        "Internal": net.internal,
        "Attachable": False,
        "Ingress": False,
        "ConfigFrom": {"Network": ""},
        "ConfigOnly": False,
        "Containers": {
            cid: {
                "Name": ep.container_name,
                "EndpointID": ep.endpoint_id,
                "MacAddress": ep.mac,
                "IPv4Address": f"{ep.ip}/{prefixlen}",
                "IPv6Address": "",
            }
            for cid, ep in sorted(net.endpoints.items())
        } if containers else {},
        "Options": options,
        "Labels": dict(net.labels),
    }
