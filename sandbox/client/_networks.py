"""``client.networks``: create, list, inspect, remove, connect, disconnect and prune."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ._http import QueryValue, encode_filters, quote_segment

if TYPE_CHECKING:
    from ._client import EngineClient, JSONObject


class NetworksAPI:
    def __init__(self, client: "EngineClient") -> None:
        self._c = client

    def create(self, name: str, *, driver: str = "bridge", subnets: Sequence[str] = (),
               gateways: Sequence[str] = (), ipam_driver: str = "default", internal: bool = False,
               attachable: bool = False, labels: Mapping[str, str] | None = None,
               options: Mapping[str, str] | None = None, scope: str = "",
               enable_ipv6: bool | None = None) -> "JSONObject":
        """``{"Id": …, "Warning": …}``. Each gateway belongs to the subnet it lies in; the
        body has the fields the docker CLI sends (``IPAM.Config`` one entry per subnet)."""
        config: list[dict[str, Any]] = [{"Subnet": s} for s in subnets]
        for gateway, entry in zip(gateways, config):
            entry["Gateway"] = gateway
        body: dict[str, Any] = {
            "Name": name, "Driver": driver, "Scope": scope,
            "IPAM": {"Driver": ipam_driver, "Options": {}, "Config": config},
            "Internal": internal, "Attachable": attachable, "Ingress": False, "ConfigOnly": False,
            "Options": dict(options or {}), "Labels": dict(labels or {}),
        }
        if enable_ipv6 is not None:
            body["EnableIPv6"] = enable_ipv6
        if not self._c.speaks("1.44"):
            # Engines before API 1.44 create a second network of the same name unless asked
            # not to; the docker CLI always asks.
            body["CheckDuplicate"] = True
        return self._c.call_json("POST", "/networks/create", json_body=body)

    def list(self, *, filters: Mapping[str, object] | None = None) -> list["JSONObject"]:
        return self._c.call_json("GET", "/networks", params={"filters": encode_filters(filters)}) or []

    def inspect(self, name: str, *, verbose: bool = False, scope: str | None = None) -> "JSONObject":
        params: dict[str, QueryValue] = {"verbose": "true" if verbose else None, "scope": scope or None}
        return self._c.call_json("GET", f"/networks/{quote_segment(name)}", params=params)

    def remove(self, name: str) -> None:
        self._c.call("DELETE", f"/networks/{quote_segment(name)}")

    def connect(self, network: str, container: str, *, aliases: Sequence[str] = (), ipv4: str = "",
                ipv6: str = "", links: Sequence[str] = (), driver_opts: Mapping[str, str] | None = None) -> None:
        endpoint: dict[str, Any] = {}
        if ipv4 or ipv6:
            endpoint["IPAMConfig"] = {k: v for k, v in (("IPv4Address", ipv4), ("IPv6Address", ipv6)) if v}
        if links:
            endpoint["Links"] = list(links)
        if aliases:
            endpoint["Aliases"] = list(aliases)
        if driver_opts:
            endpoint["DriverOpts"] = dict(driver_opts)
        self._c.call("POST", f"/networks/{quote_segment(network)}/connect",
                     json_body={"Container": container, "EndpointConfig": endpoint})

    def disconnect(self, network: str, container: str, *, force: bool = False) -> None:
        self._c.call("POST", f"/networks/{quote_segment(network)}/disconnect",
                     json_body={"Container": container, "Force": force})

    def prune(self, *, filters: Mapping[str, object] | None = None) -> "JSONObject":
        """``{"NetworksDeleted": [names…] | None}``."""
        return self._c.call_json("POST", "/networks/prune", params={"filters": encode_filters(filters)}) or {}
