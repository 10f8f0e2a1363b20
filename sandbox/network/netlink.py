"""``Links`` over rtnetlink, in-process: no ``ip`` command is run.

What a container start and stop ask for (a veth pair, an address, a default route, a
link deleted) goes through ``sandbox.network.rtnl``: a hand-packed request and its ACK,
about a millisecond each where pyroute2 took four to six. Dumps and the rare changes
(links, addresses and routes listed; a bridge made) use pyroute2, which parses what the
kernel sends back; it is imported on first use, not at import time (it takes a fifth of a
second to import, which ``sandbox --help`` should not pay). Every batch of requests runs
in a fresh thread that opens and closes its own socket (see ``netns`` for why).

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
from typing import Any, TypeVar

from sandbox.errors import NetlinkFailed
from sandbox.linux.syscalls import LinuxSyscalls
from sandbox.linux.trace import NULL_TRACER, Tracer
from sandbox.network.links import BridgePlan, LinkInfo, Route, VethPlan
from sandbox.network.netns import call_inside, run_in_thread
from sandbox.network.rtnl import Rtnl

T = TypeVar("T")
_IFF_UP = 0x1
_MAIN_TABLE = 254


@contextmanager
def _kernel(op: str, device: str | None, hint: str | None = None) -> Iterator[None]:
    """Turn pyroute2's and the OS's errors into ``NetlinkFailed`` naming the step and device."""
    from pyroute2.netlink.exceptions import NetlinkError

    try:
        yield
    except NetlinkError as e:
        raise NetlinkFailed(op, device, e.code, hint=hint) from None
    except OSError as e:
        raise NetlinkFailed(op, device, e.errno, hint=hint) from None


@contextmanager
def _raw(op: str, device: str | None, hint: str | None = None) -> Iterator[None]:
    """``_kernel`` for ``Rtnl`` requests, which fail with ``OSError`` alone: the start path
    never imports pyroute2."""
    try:
        yield
    except OSError as e:
        raise NetlinkFailed(op, device, e.errno, hint=hint) from None


def _ipr() -> Any:
    from pyroute2 import IPRoute

    return IPRoute()


class Pyroute2Links:
    def __init__(self, tracer: Tracer = NULL_TRACER, sysctl_root: Path = Path("/proc/sys/net")) -> None:
        self.tracer = tracer
        self.sysctl_root = sysctl_root
        self.syscalls = LinuxSyscalls(tracer)

    # -- helpers -------------------------------------------------------------------------

    def _host(self, fn: Callable[[Any], T]) -> T:
        def body() -> T:
            with _ipr() as ipr:
                return fn(ipr)
        return run_in_thread(body)

    def _sysctl(self, relpath: str, value: str) -> None:
        path = self.sysctl_root / relpath
        self.tracer.emit("sysctl.write", path=str(path), value=value)
        try:
            path.write_text(value)
        except OSError as e:
            raise NetlinkFailed("sysctl write", str(path), e.errno) from None

    # -- queries -------------------------------------------------------------------------

    def host_routes(self) -> list[Route]:
        def q(ipr: Any) -> list[Route]:
            names = {m["index"]: m.get("ifname") for m in ipr.get_links()}
            out = []
            for r in ipr.get_routes(family=socket.AF_INET, table=_MAIN_TABLE):
                if r["dst_len"] == 0:
                    continue  # the default route overlaps everything and says nothing
                out.append(Route(f"{r.get('dst')}/{r['dst_len']}", names.get(r.get("oif"), "?")))
            return out
        with _kernel("route dump", None):
            return self._host(q)

    def link_info(self, name: str) -> LinkInfo | None:
        def q(ipr: Any) -> LinkInfo | None:
            found = ipr.get_links(ifname=name)
            if not found:
                return None
            m = found[0]
            master_idx = m.get("master")
            master = None
            if master_idx:
                mm = ipr.get_links(master_idx)
                master = mm[0].get("ifname") if mm else None
            addrs = tuple(f"{a.get('address')}/{a['prefixlen']}"
                          for a in ipr.get_addr(index=m["index"], family=socket.AF_INET))
            kind = m.get_nested("IFLA_LINKINFO", "IFLA_INFO_KIND") or ""
            return LinkInfo(name=name, index=m["index"], kind=kind, up=bool(m["flags"] & _IFF_UP),
                            operstate=str(m.get("operstate") or "UNKNOWN"), mac=m.get("address") or "",
                            master=master, addresses=addrs)

        def guarded(ipr: Any) -> LinkInfo | None:
            from pyroute2.netlink.exceptions import NetlinkError
            try:
                return q(ipr)
            except NetlinkError as e:
                if e.code == errno.ENODEV:
                    return None
                raise
        with _kernel("link get", name):
            return self._host(guarded)

    def link_names(self, prefixes: tuple[str, ...]) -> list[str]:
        def q(ipr: Any) -> list[str]:
            names = (m.get("ifname") or "" for m in ipr.get_links())
            return sorted(n for n in names if n.startswith(prefixes))
        with _kernel("link dump", None):
            return self._host(q)

    # -- changes -------------------------------------------------------------------------

    def ensure_bridge(self, plan: BridgePlan) -> bool:
        """Create the bridge if missing, give it the gateway address, bring it up. Idempotent;
        returns whether the device was created."""
        def q(ipr: Any) -> bool:
            from pyroute2.netlink.exceptions import NetlinkError

            created = False
            found = ipr.link_lookup(ifname=plan.name)
            if not found:
                self.tracer.emit("bridge.create", bridge=plan.name)
                with _kernel("bridge create", plan.name):
                    ipr.link("add", ifname=plan.name, kind="bridge")
                created = True
                found = ipr.link_lookup(ifname=plan.name)
            index = found[0]
            have = {(a.get("address"), a["prefixlen"]) for a in ipr.get_addr(index=index, family=socket.AF_INET)}
            if (plan.gateway, plan.prefixlen) not in have:
                self.tracer.emit("addr.add", dev=plan.name, address=f"{plan.gateway}/{plan.prefixlen}")
                try:
                    ipr.addr("add", index=index, address=plan.gateway, prefixlen=plan.prefixlen)
                except NetlinkError as e:
                    if e.code != errno.EEXIST:
                        raise NetlinkFailed("addr add", plan.name, e.code) from None
            self.tracer.emit("link.up", dev=plan.name)
            with _kernel("link up", plan.name):
                ipr.link("set", index=index, state="up")
            self._sysctl(f"ipv4/conf/{plan.name}/forwarding", "1" if plan.forwarding else "0")
            return created
        return self._host(q)

    def delete_link(self, name: str) -> bool:
        def q() -> bool:
            self.tracer.emit("link.delete", dev=name)
            try:
                with Rtnl() as nl:
                    nl.delete_link(name)
            except OSError as e:
                if e.errno == errno.ENODEV:
                    return False
                raise NetlinkFailed("link delete", name, e.errno) from None
            return True
        return run_in_thread(q)

    def add_endpoint(self, plan: VethPlan) -> None:
        """Make the veth pair and configure its peer inside the container's namespace, all in
        one short-lived thread: first the host request, then ``setns`` and the rest."""
        def body() -> None:
            self._create_veth(plan)
            try:
                self._configure_peer(plan)
            except BaseException:
                # Half an endpoint is worse than none: the peer vanishes with its host end.
                with _raw("link delete", plan.veth_host), Rtnl() as nl:
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
            with _raw("veth create", plan.veth_host,
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
            with _raw("netlink socket", plan.netns), Rtnl() as nl:
                self.tracer.emit("addr.add", dev=plan.ifname, address=f"{plan.ip}/{plan.prefixlen}",
                                 netns=plan.netns)
                with _raw("addr add", plan.ifname):
                    nl.add_address(socket.if_nametoindex(plan.ifname), plan.ip, plan.prefixlen)
                if plan.gateway:
                    self.tracer.emit("route.add", dst="default", via=plan.gateway, netns=plan.netns)
                    with _raw("route add default", plan.ifname):
                        nl.replace_default_route(plan.gateway)
        call_inside(plan.netns, configure, self.syscalls)

    def set_default_route(self, netns: str, gateway: str) -> None:
        def configure() -> None:
            self.tracer.emit("route.add", dst="default", via=gateway, netns=netns)
            with _raw("route replace default", netns), Rtnl() as nl:
                nl.replace_default_route(gateway)
        run_in_thread(configure, netns=netns, syscalls=self.syscalls)

