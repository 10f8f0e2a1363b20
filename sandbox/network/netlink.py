"""``Links`` over rtnetlink, in-process: no ``ip`` command is run.

Every request goes through ``sandbox.network.rtnl``: hand-packed messages and a small
parser for what the kernel sends back, about a millisecond per request. A batch of them
opens and closes its own socket; the ones inside a container's namespace run in a thread
that enters it (see ``netns`` for why).

One endpoint costs one request on the host (create the veth pair with its peer already in
the container's namespace, named, addressed by MAC, its host end on the bridge and up) and
two inside (the address and the default route); the peer and ``lo`` are brought up with
an ioctl.
"""

from __future__ import annotations

import errno
import os
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from sandbox.errors import NetlinkFailed
from sandbox.linux.syscalls import LinuxSyscalls
from sandbox.linux.trace import NULL_TRACER, Tracer
from sandbox.network.links import BridgePlan, LinkInfo, Route, VethPlan
from sandbox.network.netns import call_inside, run_in_thread
from sandbox.network.rtnl import RT_TABLE_MAIN, Rtnl

T = TypeVar("T")


@contextmanager
def _kernel(op: str, device: str | None, hint: str | None = None) -> Iterator[None]:
    """Turn the kernel's refusal (an ``OSError``) into ``NetlinkFailed`` naming the step and device."""
    try:
        yield
    except OSError as e:
        raise NetlinkFailed(op, device, e.errno, hint=hint) from None


class KernelLinks:
    def __init__(self, tracer: Tracer = NULL_TRACER, sysctl_root: Path = Path("/proc/sys/net")) -> None:
        self.tracer = tracer
        self.sysctl_root = sysctl_root
        self.syscalls = LinuxSyscalls(tracer)

    # -- helpers -------------------------------------------------------------------------

    @staticmethod
    def _host(fn: Callable[[Rtnl], T]) -> T:
        with Rtnl() as nl:
            return fn(nl)

    def _sysctl(self, relpath: str, value: str) -> None:
        path = self.sysctl_root / relpath
        self.tracer.emit("sysctl.write", path=str(path), value=value)
        try:
            path.write_text(value)
        except OSError as e:
            raise NetlinkFailed("sysctl write", str(path), e.errno) from None

    # -- queries -------------------------------------------------------------------------

    def host_routes(self) -> list[Route]:
        def q(nl: Rtnl) -> list[Route]:
            names = {link.index: link.name for link in nl.links()}
            # The default route overlaps everything and says nothing.
            return [Route(f"{r.dst}/{r.dst_len}", names.get(r.oif, "?")) for r in nl.routes()
                    if r.table == RT_TABLE_MAIN and r.dst_len > 0]
        with _kernel("route dump", None):
            return self._host(q)

    def link_info(self, name: str) -> LinkInfo | None:
        def q(nl: Rtnl) -> LinkInfo | None:
            link = nl.link(name)
            if link is None:
                return None
            master = nl.link_name(link.master) if link.master else None
            return LinkInfo(name=name, index=link.index, kind=link.kind, up=bool(link.flags & 0x1),
                            operstate=link.operstate, mac=link.mac, master=master,
                            addresses=tuple(nl.addresses(link.index)))
        with _kernel("link get", name):
            return self._host(q)

    def link_names(self, prefixes: tuple[str, ...]) -> list[str]:
        with _kernel("link dump", None):
            return sorted(n for n in (link.name for link in self._host(Rtnl.links)) if n.startswith(prefixes))

    # -- changes -------------------------------------------------------------------------

    def ensure_bridge(self, plan: BridgePlan) -> bool:
        """Create the bridge if missing, give it the gateway address, bring it up. Idempotent;
        returns whether the device was created."""
        def q(nl: Rtnl) -> bool:
            created = False
            link = nl.link(plan.name)
            if link is None:
                self.tracer.emit("bridge.create", bridge=plan.name)
                with _kernel("bridge create", plan.name):
                    nl.add_bridge(plan.name)
                created = True
                link = nl.link(plan.name)
                if link is None:
                    raise NetlinkFailed("bridge create", plan.name, errno.ENODEV,
                                        hint="the bridge vanished right after it was made")
            if f"{plan.gateway}/{plan.prefixlen}" not in nl.addresses(link.index):
                self.tracer.emit("addr.add", dev=plan.name, address=f"{plan.gateway}/{plan.prefixlen}")
                try:
                    nl.add_address(link.index, plan.gateway, plan.prefixlen)
                except OSError as e:
                    if e.errno != errno.EEXIST:
                        raise NetlinkFailed("addr add", plan.name, e.errno) from None
            self.tracer.emit("link.up", dev=plan.name)
            with _kernel("link up", plan.name):
                nl.set_up(link.index)
            self._sysctl(f"ipv4/conf/{plan.name}/forwarding", "1" if plan.forwarding else "0")
            return created
        with _kernel("bridge query", plan.name):
            return self._host(q)

    def delete_link(self, name: str) -> bool:
        def q(nl: Rtnl) -> bool:
            self.tracer.emit("link.delete", dev=name)
            try:
                nl.delete_link(name)
            except OSError as e:
                if e.errno == errno.ENODEV:
                    return False
                raise NetlinkFailed("link delete", name, e.errno) from None
            return True
        return self._host(q)

    def add_endpoint(self, plan: VethPlan) -> None:
        """Make the veth pair and configure its peer inside the container's namespace, all in
        one short-lived thread: first the host request, then ``setns`` and the rest."""
        def body() -> None:
            self._create_veth(plan)
            try:
                self._configure_peer(plan)
            except BaseException:
                # Half an endpoint is worse than none: the peer vanishes with its host end.
                with _kernel("link delete", plan.veth_host), Rtnl() as nl:
                    nl.delete_link(plan.veth_host)
                raise
        run_in_thread(body)

    def _create_veth(self, plan: VethPlan) -> None:
        try:
            bridge_index = socket.if_nametoindex(plan.bridge)
        except OSError:
            raise NetlinkFailed("veth create", plan.bridge, errno.ENODEV,
                                hint="the network's bridge is missing; restore() re-creates it") from None
        try:
            nsfd = os.open(plan.netns, os.O_RDONLY | os.O_CLOEXEC)
        except OSError as e:
            raise NetlinkFailed("open netns", plan.netns, e.errno,
                                hint="is the container still running?") from None
        self.tracer.emit("veth.create", host=plan.veth_host, peer=plan.ifname, netns=plan.netns,
                         bridge=plan.bridge, mac=plan.mac)
        try:
            with _kernel("veth create", plan.veth_host,
                      hint=f"does the namespace already have an {plan.ifname}?"), Rtnl() as nl:
                # The peer is born in the container's namespace with its final name and MAC,
                # and the host end is born enslaved and up: one round trip instead of four.
                nl.add_veth(plan.veth_host, plan.ifname, peer_netns_fd=nsfd, peer_mac=plan.mac,
                            master=bridge_index, up=True)
        finally:
            os.close(nsfd)

    def _configure_peer(self, plan: VethPlan) -> None:
        def configure() -> None:
            # ioctl, not netlink, for the two "up"s: microseconds each, and lo is down in a
            # namespace that nobody has set up yet.
            self.syscalls.link_up("lo")
            self.syscalls.link_up(plan.ifname)
            # Opened here, after setns: the socket talks to the container's namespace.
            with _kernel("netlink socket", plan.netns), Rtnl() as nl:
                self.tracer.emit("addr.add", dev=plan.ifname, address=f"{plan.ip}/{plan.prefixlen}",
                                 netns=plan.netns)
                with _kernel("addr add", plan.ifname):
                    nl.add_address(socket.if_nametoindex(plan.ifname), plan.ip, plan.prefixlen)
                if plan.gateway:
                    self.tracer.emit("route.add", dst="default", via=plan.gateway, netns=plan.netns)
                    with _kernel("route add default", plan.ifname):
                        nl.replace_default_route(plan.gateway)
        call_inside(plan.netns, configure, self.syscalls)

    def set_default_route(self, netns: str, gateway: str) -> None:
        def configure() -> None:
            self.tracer.emit("route.add", dst="default", via=gateway, netns=netns)
            with _kernel("route replace default", netns), Rtnl() as nl:
                nl.replace_default_route(gateway)
        run_in_thread(configure, netns=netns, syscalls=self.syscalls)

