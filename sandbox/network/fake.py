"""An in-memory ``Links`` for unit tests: devices are dict entries, every call is recorded."""

from __future__ import annotations

import errno
from dataclasses import dataclass, field

from sandbox.errors import NetlinkFailed
from sandbox.network.links import BridgePlan, LinkInfo, Route, VethPlan


@dataclass
class FakeLinks:
    devices: dict[str, LinkInfo] = field(default_factory=dict)
    routes: list[Route] = field(default_factory=list)
    """Host routes the manager must not overlap (a test may add ``Route("192.0.2.0/24", "eth0")``)."""
    default_routes: dict[str, str] = field(default_factory=dict)
    """netns -> gateway of its default route."""
    peers: dict[str, VethPlan] = field(default_factory=dict)
    """host veth name -> the plan it was made with."""
    calls: list[tuple[str, str]] = field(default_factory=list)
    fail: dict[str, int] = field(default_factory=dict)
    """Operation name -> errno to raise (``add_endpoint``, ``ensure_bridge``…)."""

    def _record(self, op: str, what: str) -> None:
        self.calls.append((op, what))
        if op in self.fail:
            raise NetlinkFailed(op, what, self.fail[op])

    def ops(self) -> list[str]:
        return [op for op, _ in self.calls]

    def host_routes(self) -> list[Route]:
        return list(self.routes)

    def ensure_bridge(self, plan: BridgePlan) -> bool:
        self._record("ensure_bridge", plan.name)
        created = plan.name not in self.devices
        self.devices[plan.name] = LinkInfo(plan.name, len(self.devices) + 1, "bridge", True, "UP", "",
                                           None, (f"{plan.gateway}/{plan.prefixlen}",))
        return created

    def delete_link(self, name: str) -> bool:
        self._record("delete_link", name)
        if self.devices.pop(name, None) is None:
            return False
        self.peers.pop(name, None)
        return True

    def link_info(self, name: str) -> LinkInfo | None:
        return self.devices.get(name)

    def link_names(self, prefixes: tuple[str, ...]) -> list[str]:
        return sorted(n for n in self.devices if n.startswith(prefixes))

    def add_endpoint(self, plan: VethPlan) -> None:
        self._record("add_endpoint", plan.veth_host)
        if plan.bridge not in self.devices:
            raise NetlinkFailed("veth create", plan.bridge, errno.ENODEV)
        if plan.veth_host in self.devices:
            raise NetlinkFailed("veth create", plan.veth_host, errno.EEXIST)
        self.devices[plan.veth_host] = LinkInfo(plan.veth_host, len(self.devices) + 1, "veth", True, "UP",
                                                "", plan.bridge, ())
        self.peers[plan.veth_host] = plan
        if plan.gateway:
            self.default_routes[plan.netns] = plan.gateway

    def set_default_route(self, netns: str, gateway: str) -> None:
        self._record("set_default_route", netns)
        self.default_routes[netns] = gateway

    def vanish(self, name: str) -> None:
        """What the kernel does when a container's namespace dies: its veth pair goes."""
        self.devices.pop(name, None)
        self.peers.pop(name, None)
