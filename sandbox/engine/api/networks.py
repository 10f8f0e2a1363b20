"""The network routes. Networks themselves are the ``NetworkManager``'s; connecting a
container goes through the container service, which knows its namespace and mode."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sandbox.engine.http import Filters, Request, Response, Router, json_response
from sandbox.errors import InvalidNetworkConfig, InvalidParameter
from sandbox.network import Network, NetworkManager

LIST_FILTERS = ("dangling", "driver", "id", "label", "name", "scope", "type")
PRUNE_FILTERS = ("label", "label!", "until")
BUILTIN = ("bridge", "host", "none")


class Connector(Protocol):
    """What the routes need of the container service."""

    def connect_network(self, ref: str, network: str, endpoint: dict[str, Any] | None = None) -> None: ...

    def disconnect_network(self, ref: str, network: str, force: bool = False) -> None: ...


@dataclass
class NetworkApi:
    networks: NetworkManager
    containers: Connector | None = None
    """None: the daemon has no container service (yet); connect and disconnect are refused."""

    def create(self, body: dict[str, Any]) -> dict[str, str]:
        name = body.get("Name")
        if not isinstance(name, str) or not name:
            raise InvalidNetworkConfig("network name", name, "a network needs a name",
                                       "docker network create NAME")
        driver = body.get("Driver") or "bridge"
        if driver != "bridge":
            raise InvalidNetworkConfig("driver", driver, "only the bridge driver is supported",
                                       "leave out --driver, or use --driver bridge")
        if body.get("EnableIPv6"):
            raise InvalidNetworkConfig("EnableIPv6", True, "IPv6 networks are not supported")
        subnet, gateway = _ipam(body.get("IPAM"))
        labels = body.get("Labels") or None
        if labels is not None and not isinstance(labels, dict):
            raise InvalidNetworkConfig("labels", labels, "labels are a map of strings")
        net = self.networks.create(name, subnet=subnet, gateway=gateway, internal=bool(body.get("Internal")),
                                   labels=labels)
        return {"Id": net.id, "Warning": ""}

    def list(self, filters: Filters) -> list[dict[str, Any]]:
        filters.validate(LIST_FILTERS)
        wanted = {n.id for n in self.networks.networks() if _matches(n, filters)}
        return [n for n in self.networks.list() if n["Id"] in wanted]

    def prune(self, filters: Filters) -> dict[str, Any]:
        filters.validate(PRUNE_FILTERS)
        until = [_timestamp(v) for v in filters.values("until")]

        def keep(net: Network) -> bool:
            if until and not all(_created(net) < u for u in until):
                return True
            if not filters.match_labels(net.labels):
                return True
            return any(Filters({"l": [x]}).match_labels(net.labels, "l") for x in filters.values("label!"))

        return {"NetworksDeleted": self.networks.prune(keep) or None}

    def _connector(self) -> Connector:
        if self.containers is None:
            raise InvalidParameter("this engine has no container service to connect", "Container")
        return self.containers

    def connect(self, network: str, body: dict[str, Any]) -> None:
        ref = _container_ref(body)
        endpoint = body.get("EndpointConfig")
        if endpoint is not None and not isinstance(endpoint, dict):
            raise InvalidParameter("EndpointConfig must be an object", "EndpointConfig")
        self._connector().connect_network(ref, network, endpoint)

    def disconnect(self, network: str, body: dict[str, Any]) -> None:
        self._connector().disconnect_network(_container_ref(body), network, bool(body.get("Force")))


def _container_ref(body: dict[str, Any]) -> str:
    ref = body.get("Container")
    if not isinstance(ref, str) or not ref:
        raise InvalidParameter("no container given", "Container", "send {\"Container\": NAME_OR_ID}")
    return ref


def _ipam(ipam: Any) -> tuple[str | None, str | None]:
    """``IPAM.Config``: at most one IPv4 pool with an optional gateway."""
    if ipam is None:
        return None, None
    if not isinstance(ipam, dict):
        raise InvalidNetworkConfig("IPAM", ipam, "IPAM must be an object")
    if (ipam.get("Driver") or "default") != "default":
        raise InvalidNetworkConfig("IPAM driver", ipam.get("Driver"), "only the default IPAM driver exists here")
    configs = ipam.get("Config") or []
    if not isinstance(configs, list) or len(configs) > 1:
        raise InvalidNetworkConfig("IPAM config", configs, "give at most one --subnet")
    if not configs:
        return None, None
    cfg = configs[0]
    if not isinstance(cfg, dict):
        raise InvalidNetworkConfig("IPAM config", cfg, "each pool is an object")
    if cfg.get("IPRange") or cfg.get("AuxiliaryAddresses"):
        raise InvalidNetworkConfig("IPAM config", cfg, "--ip-range and --aux-address are not supported",
                                   "give only --subnet and --gateway")
    return cfg.get("Subnet") or None, cfg.get("Gateway") or None


def _created(net: Network) -> float:
    return datetime.fromisoformat(net.created).timestamp()


def _timestamp(value: str) -> float:
    try:
        return float(value)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(value).timestamp()
    except ValueError:
        raise InvalidParameter(f"invalid filter 'until={value}': not a timestamp", "filters",
                               "use seconds since the epoch or an RFC 3339 time") from None


def _matches(net: Network, f: Filters) -> bool:
    if f.has("name") and not any(v in net.name for v in f.values("name")):
        return False
    if f.has("id") and not any(net.id.startswith(v) for v in f.values("id")):
        return False
    if not f.exact_match("driver", net.driver) or not f.exact_match("scope", "local"):
        return False
    if f.has("type"):
        kind = "builtin" if net.name in BUILTIN else "custom"
        if kind not in f.values("type"):
            return False
    dangling = f.bool_value("dangling")
    if dangling is not None and dangling != (not net.endpoints and net.name not in BUILTIN):
        return False
    return f.match_labels(net.labels)


def register(router: Router, api: NetworkApi) -> None:
    @router.post("/networks/create")
    def create(req: Request) -> Response:
        return json_response(api.create(req.json_object()), 201)

    @router.get("/networks")
    def list_networks(req: Request) -> list[dict[str, Any]]:
        return api.list(req.query.filters())

    @router.post("/networks/prune")
    def prune(req: Request) -> dict[str, Any]:
        return api.prune(req.query.filters())

    @router.get("/networks/{id}")
    def inspect(req: Request) -> dict[str, Any]:
        return api.networks.inspect(req.params["id"])

    @router.delete("/networks/{id}")
    def remove(req: Request) -> None:
        api.networks.remove(req.params["id"])

    @router.post("/networks/{id}/connect")
    def connect(req: Request) -> None:
        api.connect(req.params["id"], req.json_object())

    @router.post("/networks/{id}/disconnect")
    def disconnect(req: Request) -> None:
        api.disconnect(req.params["id"], req.json_object())

    @router.get("/sandbox/networks/{id}/topology")
    def topology(req: Request) -> dict[str, Any]:
        return api.networks.topology(req.params["id"])
