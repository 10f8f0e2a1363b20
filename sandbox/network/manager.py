"""``NetworkManager``: the engine's one door to container networking.

It owns the network records (persisted under ``state_dir``), the bridges and veth pairs it
made (through ``Links``), the published ports (through ``PortTable``), the managed hosts
and resolv.conf files, and, only when asked, the masquerade table. Every public method
is thread-safe: one lock orders them, so concurrent ``docker run``s get distinct addresses.

    mgr = NetworkManager(settings.root / "network")
    mgr.restore()                                   # at daemon start
    ep = mgr.connect("bridge", cid, "web", f"/proc/{pid}/ns/net")
    mgr.publish(cid, "0.0.0.0", 18080, ep.ip, 80)   # -p 18080:80
    mgr.release_container(cid)                      # at docker rm
"""

from __future__ import annotations

import ipaddress
import secrets
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sandbox.errors import (
    EndpointExists,
    EndpointNotFound,
    InvalidNetworkConfig,
    NetlinkFailed,
    NetworkAmbiguous,
    NetworkExists,
    NetworkInUse,
    NetworkNotFound,
    NetworkReserved,
    NotConnectable,
)
from sandbox.linux.trace import NULL_TRACER, Tracer
from sandbox.network import hosts, inspect, ipam, topology, validate
from sandbox.network.ipam import TakenRange
from sandbox.network.links import BridgePlan, Links, VethPlan
from sandbox.network.masquerade import Masquerade, MasqueradeNet, NftRunner, run_nft
from sandbox.network.model import (
    DRIVER_BRIDGE,
    DRIVER_HOST,
    DRIVER_NULL,
    Endpoint,
    EndpointRecord,
    Network,
    PortBinding,
)
from sandbox.network.options import IFNAMSIZ, NetworkOptions
from sandbox.network.ports import PortTable
from sandbox.network.proxy import PortProxy
from sandbox.network.store import NetworkStore


@dataclass
class RestoreReport:
    bridges_created: list[str] = field(default_factory=list)
    endpoints_dropped: list[tuple[str, str]] = field(default_factory=list)
    """(network name, container id) whose veth had vanished: the container died meanwhile."""
    ports: list[PortBinding] = field(default_factory=list)
    ports_failed: list[tuple[PortBinding, str]] = field(default_factory=list)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


class NetworkManager:
    def __init__(self, state_dir: Path, *, tracer: Tracer = NULL_TRACER,
                 options: NetworkOptions | None = None, links: Links | None = None,
                 nft_runner: NftRunner = run_nft) -> None:
        from sandbox.network.netlink import KernelLinks

        self.state_dir = state_dir
        self.tracer = tracer
        self.options = options or NetworkOptions()
        self.links: Links = links if links is not None else KernelLinks(tracer)
        self.store = NetworkStore(state_dir)
        self.proxy = PortProxy(tracer)
        self.ports = PortTable(self.store, self.proxy)
        self.masquerade = Masquerade(self.options.nft_table, nft_runner, tracer)
        self._lock = threading.RLock()
        self._nets: dict[str, Network] | None = None
        self._ready: set[str] = set()
        """Bridges known to exist in this process's lifetime (saves a netlink query per connect)."""
        self._deleting: dict[str, tuple[str, threading.Thread]] = {}
        """Host veth ends being deleted in the background: name -> (container id, thread)."""
        self._background: list[threading.Thread] = []

    # -- state ---------------------------------------------------------------------------

    def _state(self) -> dict[str, Network]:
        if self._nets is None:
            self._nets = {n.id: n for n in self.store.load_networks()}
            self._ensure_predefined()
        return self._nets

    def _ensure_predefined(self) -> None:
        assert self._nets is not None
        names = {n.name for n in self._nets.values()}
        for name, driver in (("bridge", DRIVER_BRIDGE), ("host", DRIVER_HOST), ("none", DRIVER_NULL)):
            if name in names:
                continue
            net = Network(id=secrets.token_hex(32), name=name, driver=driver, created=_now())
            if driver == DRIVER_BRIDGE:
                subnet = ipam.parse_subnet(self.options.default_subnet)
                net.subnet, net.gateway = str(subnet), str(next(subnet.hosts()))
                net.bridge = self.options.default_bridge
            self._nets[net.id] = net
            self.store.save_network(net)

    def _resolve(self, ref: str) -> Network:
        """Docker's order: a full id, then a name, then a unique id prefix."""
        nets = self._state()
        if ref in nets:
            return nets[ref]
        for net in nets.values():
            if net.name == ref:
                return net
        matches = [n for n in nets.values() if ref and n.id.startswith(ref)]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise NetworkAmbiguous(ref, len(matches))
        raise NetworkNotFound(ref)

    def _save(self, net: Network) -> None:
        self.store.save_network(net)

    def _taken(self, exclude: str | None = None) -> list[TakenRange]:
        ours = {n.bridge for n in self._state().values() if n.bridge}
        taken = [TakenRange(ipaddress.IPv4Network(n.subnet), f"network {n.name}")
                 for n in self._state().values() if n.subnet and n.id != exclude]
        taken += [TakenRange(ipaddress.IPv4Network(r.dst, strict=False), f"the host's route on {r.device}")
                  for r in self.links.host_routes() if r.device not in ours]
        return taken

    def _ensure_device(self, net: Network) -> bool:
        if net.bridge in self._ready:
            return False
        if net.name == "bridge" and self.links.link_info(net.bridge) is None:
            # The default subnet comes from configuration, not from create()'s checks: make
            # sure the host does not route it elsewhere before we claim it.
            ipam.check_overlap(ipaddress.IPv4Network(net.subnet), self._taken(exclude=net.id), net.name)
        created = self.links.ensure_bridge(BridgePlan(
            net.bridge, net.gateway, int(net.subnet.split("/")[1]),
            forwarding=self.options.masquerade and not net.internal))
        self._ready.add(net.bridge)
        return created

    # -- networks ------------------------------------------------------------------------

    def create(self, name: str, subnet: str | None = None, gateway: str | None = None,
               internal: bool = False, labels: dict[str, str] | None = None) -> Network:
        with self._lock:
            validate.network_name(name)
            if any(n.name == name for n in self._state().values()):
                raise NetworkExists(name)
            lbls = validate.labels(labels)
            taken = self._taken()
            if subnet is not None:
                net_range = ipam.parse_subnet(subnet)
                ipam.check_overlap(net_range, taken, name)
            else:
                net_range = ipam.pick_subnet(ipam.parse_subnet(self.options.pool),
                                             self.options.pool_prefixlen, taken)
            gw = (ipam.host_address(net_range, ipam.parse_address(gateway, "gateway"), "gateway")
                  if gateway is not None else next(net_range.hosts()))
            net = Network(id=self._new_id(), name=name, driver=DRIVER_BRIDGE, created=_now(),
                          subnet=str(net_range), gateway=str(gw), internal=bool(internal), labels=lbls,
                          user_subnet=subnet is not None)
            net.bridge = self.options.bridge_prefix + net.id[:IFNAMSIZ - len(self.options.bridge_prefix)]
            self.tracer.emit("network.create", network=name, subnet=net.subnet, bridge=net.bridge)
            self._ensure_device(net)
            try:
                self._save(net)
            except OSError:
                self.links.delete_link(net.bridge)
                self._ready.discard(net.bridge)
                raise
            self._state()[net.id] = net
            self._sync_masquerade()
            return net

    def _new_id(self) -> str:
        taken = {n.bridge for n in self._state().values()}
        room = IFNAMSIZ - len(self.options.bridge_prefix)
        while True:
            nid = secrets.token_hex(32)
            if self.options.bridge_prefix + nid[:room] not in taken:
                return nid

    def network(self, ref: str) -> Network:
        with self._lock:
            return self._resolve(ref)

    def networks(self) -> list[Network]:
        with self._lock:
            return sorted(self._state().values(), key=lambda n: (n.created, n.name))

    def list(self) -> list[dict[str, Any]]:
        """``GET /networks``."""
        return [inspect.network_json(n, containers=False) for n in self.networks()]

    def inspect(self, ref: str) -> dict[str, Any]:
        """``GET /networks/{id}``."""
        with self._lock:
            return inspect.network_json(self._resolve(ref))

    def remove(self, ref: str) -> None:
        with self._lock:
            net = self._resolve(ref)
            if net.predefined:
                raise NetworkReserved(net.name, "removed")
            if net.endpoints:
                names = [ep.container_name or cid[:12] for cid, ep in net.endpoints.items()]
                raise NetworkInUse(net.name, net.id, names)
            self.tracer.emit("network.remove", network=net.name, bridge=net.bridge)
            self.links.delete_link(net.bridge)
            self._ready.discard(net.bridge)
            self.store.delete_network(net.id)
            del self._state()[net.id]
            self._sync_masquerade()

    def prune(self, keep: Callable[[Network], bool] | None = None) -> list[str]:
        """Remove every user network without endpoints (and not kept by ``keep``); their names."""
        with self._lock:
            gone = [n for n in self.networks()
                    if not n.predefined and not n.endpoints and not (keep and keep(n))]
            for net in gone:
                self.remove(net.id)
            return [n.name for n in gone]

    # -- endpoints -----------------------------------------------------------------------

    def connect(self, network: str, container_id: str, container_name: str, netns: str,
                aliases: tuple[str, ...] | list[str] = (), ip: str | None = None,
                hostname: str | None = None) -> Endpoint:
        """Give the container (whose network namespace is the file ``netns``) an interface on
        ``network``: a veth pair, an address, and its default route if it has none yet."""
        self._settle(container_id)  # a restart may want the address its last run still holds
        with self._lock:
            net = self._resolve(network)
            if net.driver != DRIVER_BRIDGE:
                raise NotConnectable(net.name, f"the {net.name} network is a mode, not a bridge")
            if container_id in net.endpoints:
                raise EndpointExists(container_name or container_id, net.name)
            names = validate.aliases(aliases)
            if names and not net.resolves_names:
                raise InvalidNetworkConfig("alias", names[0], "network-scoped aliases are supported only "
                                           "for containers in user defined networks")
            self._ensure_device(net)
            mine = [n.endpoints[container_id] for n in self._state().values() if container_id in n.endpoints]
            used = {ep.ifname for ep in mine}
            ifname = next(f"eth{i}" for i in range(len(used) + 1) if f"eth{i}" not in used)
            route = not net.internal and not any(ep.default_route for ep in mine)
            address = ipam.allocate(net, container_id, ip)
            rec = EndpointRecord(
                container_id=container_id, container_name=container_name, endpoint_id=secrets.token_hex(32),
                ip=address, mac=ipam.mac_for(address), ifname=ifname, veth_host=self._veth_name(),
                netns=netns, aliases=names, hostname=hostname or container_id[:12], default_route=route)
            plan = VethPlan(net.bridge, rec.veth_host, netns, ifname, address,
                            int(net.subnet.split("/")[1]), rec.mac, net.gateway if route else None)
            try:
                self.links.add_endpoint(plan)
            except BaseException:
                ipam.release(net, address)
                raise
            net.endpoints[container_id] = rec
            self._save(net)
            self._refresh_hosts(net, container_id)
            return Endpoint.of(net, rec)

    def _veth_name(self) -> str:
        room = IFNAMSIZ - len(self.options.veth_prefix)
        return self.options.veth_prefix + secrets.token_hex(8)[:room]

    def disconnect(self, network: str, container_id: str, *, wait: bool = True) -> None:
        """Delete the container's veth on ``network`` and release its address. The host end is
        deleted explicitly: a dying namespace takes its veths with it only some time later.

        ``wait=False`` (the container has exited): the endpoint leaves the records now and the
        veth is deleted in a background thread. Deleting a network device waits for an RCU
        grace period in the kernel — about 20 ms, longer than everything else a container's
        network costs — and nothing needs to wait for it. The address stays taken until the
        device is gone, so a new container never shares it with a dying one."""
        with self._lock:
            net = self._resolve(network)
            rec = net.endpoints.get(container_id)
            if rec is None:
                raise EndpointNotFound(container_id[:12], net.name)
            del net.endpoints[container_id]
            if not wait:
                # The record is saved once the device is gone; should the engine die first,
                # restore() drops an endpoint whose veth has vanished anyway.
                self._delete_later(net.id, container_id, rec.veth_host, rec.ip)
                self._refresh_peers(net, container_id)
                return
            self.links.delete_link(rec.veth_host)
            ipam.release(net, rec.ip)
            self._save(net)
            if rec.default_route:
                self._move_default_route(container_id, rec.netns)
            self._refresh_hosts(net, container_id)

    def _delete_later(self, network_id: str, container_id: str, veth: str, address: str) -> None:
        def body() -> None:
            try:
                self.links.delete_link(veth)
            except NetlinkFailed as e:
                # Kept in the records' blind spot: leaks() reports the device if it stayed.
                self.tracer.emit("link.delete", dev=veth, error=e.message)
            with self._lock:
                self._deleting.pop(veth, None)
                net = self._state().get(network_id)
                if net is not None:
                    if net.allocated.get(address) == container_id:
                        ipam.release(net, address)
                    self._save(net)

        thread = threading.Thread(target=body, name=f"delete {veth}", daemon=True)
        self._deleting[veth] = (container_id, thread)
        thread.start()

    def _settle(self, container_id: str | None = None) -> None:
        """Wait for the background deletions (of one container's veths, or all of them)."""
        with self._lock:
            pending = [t for cid, t in self._deleting.values() if container_id is None or cid == container_id]
            if container_id is None:
                pending += self._background
        for thread in pending:
            thread.join()

    def _move_default_route(self, container_id: str, netns: str) -> None:
        """The container lost the network its default route went through: use another one's
        gateway, as Docker does."""
        for net in self._state().values():
            rec = net.endpoints.get(container_id)
            if rec is None or net.internal:
                continue
            try:
                self.links.set_default_route(netns, net.gateway)
            except NetlinkFailed as e:
                # The container is going away (its namespace is gone): nothing to route.
                self.tracer.emit("route.add", error=e.message, netns=netns, via=net.gateway)
                return
            rec.default_route = True
            self._save(net)
            return

    def set_netns(self, container_id: str, netns: str) -> None:
        """The container's namespace has a new name (the engine made it, the container's init
        now holds it): its endpoints record ``/proc/<pid>/ns/net`` from now on. Written to
        disk in the background: the container is about to start and the name only matters
        to a later disconnect or an engine restart."""
        with self._lock:
            changed = []
            for net in self._state().values():
                rec = net.endpoints.get(container_id)
                if rec is not None and rec.netns != netns:
                    rec.netns = netns
                    changed.append(net.id)
        if changed:
            self._in_background(f"save {container_id[:12]}", lambda: self._save_ids(changed))

    def _save_ids(self, network_ids: list[str]) -> None:
        with self._lock:
            for network_id in network_ids:
                net = self._state().get(network_id)
                if net is not None:
                    self._save(net)

    def _in_background(self, name: str, fn: Callable[[], None]) -> None:
        """Run ``fn`` in a thread that ``_settle`` (teardown, close) waits for."""
        thread = threading.Thread(target=fn, name=name, daemon=True)
        with self._lock:
            self._background = [t for t in self._background if t.is_alive()] + [thread]
        thread.start()

    def endpoints(self, container_id: str) -> list[Endpoint]:
        with self._lock:
            return [Endpoint.of(n, n.endpoints[container_id]) for n in self.networks()
                    if container_id in n.endpoints]

    def rename_container(self, container_id: str, new_name: str) -> None:
        with self._lock:
            touched = []
            for net in self._state().values():
                rec = net.endpoints.get(container_id)
                if rec is not None:
                    rec.container_name = new_name
                    self._save(net)
                    touched.append(net)
            for net in touched:
                self._refresh_hosts(net, container_id)

    def release_container(self, container_id: str) -> None:
        """Everything for ``docker rm``: unpublish its ports, disconnect it from every network,
        and delete its hosts and resolv.conf files."""
        with self._lock:
            self.ports.unpublish_all(container_id)
            for net in list(self._state().values()):
                if container_id in net.endpoints:
                    self.disconnect(net.id, container_id)
            shutil.rmtree(self.store.container_dir(container_id), ignore_errors=True)

    # -- names ---------------------------------------------------------------------------

    def hosts_file(self, container_id: str) -> Path:
        """The container's managed hosts file, up to date; the engine bind-mounts it at /etc/hosts."""
        with self._lock:
            return self._write_hosts(container_id, self.networks())

    def _write_hosts(self, container_id: str, nets: list[Network]) -> Path:
        path = self.store.container_dir(container_id) / "hosts"
        hosts.write_in_place(path, hosts.render_hosts(hosts.entries_for(container_id, nets)))
        return path

    def resolv_conf(self, container_id: str) -> Path:
        """The container's resolv.conf: the host's name servers without loopback ones."""
        o = self.options
        text = hosts.render_resolv_conf(hosts.host_resolv_text(o.host_resolv_conf, o.systemd_resolv_conf),
                                        o.fallback_dns)
        path = self.store.container_dir(container_id) / "resolv.conf"
        hosts.write_in_place(path, text)
        return path

    def _refresh_hosts(self, net: Network, container_id: str) -> None:
        """Rewrite the hosts file of ``container_id`` and, on a name-resolving network, of every
        peer on it (a file exists for a peer once the engine asked for it or it was connected)."""
        self._write_hosts(container_id, self.networks())
        self._refresh_peers(net, container_id)

    def _refresh_peers(self, net: Network, container_id: str) -> None:
        if net.resolves_names:
            nets = self.networks()
            for cid in net.endpoints:
                if cid != container_id:
                    self._write_hosts(cid, nets)

    # -- ports ---------------------------------------------------------------------------

    def publish(self, container_id: str, host_ip: str, host_port: int, container_ip: str,
                container_port: int, proto: str = "tcp") -> PortBinding:
        """``-p [host_ip:]host_port:container_port[/proto]``; ``host_port`` 0 picks a free port (``-P``)."""
        return self.ports.publish(container_id, host_ip, host_port, container_ip, container_port, proto)

    def unpublish_all(self, container_id: str) -> list[PortBinding]:
        return self.ports.unpublish_all(container_id)

    def port_bindings(self, container_id: str | None = None) -> list[PortBinding]:
        return self.ports.bindings(container_id)

    # -- pictures ------------------------------------------------------------------------

    def topology(self, network: str) -> dict[str, Any]:
        """``/sandbox/networks/{id}/topology``: the bridge, veth pairs, addresses, namespaces, ports."""
        with self._lock:
            net = self._resolve(network)
            return topology.build(net, self.links.link_info, self.ports.bindings(), self.proxy.connections)

    # -- lifecycle -----------------------------------------------------------------------

    def restore(self) -> RestoreReport:
        """At daemon start: read the state back, re-create missing bridges, drop endpoints whose
        veth vanished (their container died while we were away), listen again on saved ports."""
        report = RestoreReport()
        with self._lock:
            self._nets = None
            self._ready.clear()
            alive = set(self.links.link_names((self.options.veth_prefix,)))
            for net in self.networks():
                if net.driver != DRIVER_BRIDGE:
                    continue
                if self._ensure_device(net):
                    report.bridges_created.append(net.bridge)
                dead = [cid for cid, ep in net.endpoints.items() if ep.veth_host not in alive]
                for cid in dead:
                    ipam.release(net, net.endpoints.pop(cid).ip)
                    report.endpoints_dropped.append((net.name, cid))
                # Addresses of endpoints whose veth was still being deleted when the last
                # engine stopped: nothing holds them any more.
                orphans = [a for a, cid in net.allocated.items() if cid not in net.endpoints]
                for address in orphans:
                    ipam.release(net, address)
                if dead or orphans:
                    self._save(net)
                    for cid in net.endpoints:
                        self.hosts_file(cid)
            keep = {cid for n in self._state().values() for cid in n.endpoints}
            report.ports, report.ports_failed = self.ports.restore(keep)
            self._sync_masquerade()
        return report

    def teardown(self, *, everything: bool = False) -> list[str]:
        """Delete the devices (and the masquerade table) this manager made that nothing uses.
        ``everything``: first disconnect every container and close every port (tests, uninstall).
        The records stay: ``restore()`` or the next connect re-creates what is needed."""
        deleted: list[str] = []
        self._settle()
        with self._lock:
            if everything:
                for b in self.ports.bindings():
                    self.ports.unpublish(b)
                for net in self._state().values():
                    for cid in list(net.endpoints):
                        self.disconnect(net.id, cid)
            for net in self._state().values():
                if net.bridge and not net.endpoints and self.links.delete_link(net.bridge):
                    deleted.append(net.bridge)
                self._ready.discard(net.bridge)
            if self.options.masquerade and not any(n.endpoints for n in self._state().values()):
                self.masquerade.remove()
        return deleted

    def close(self) -> None:
        """Stop the port proxy's thread (its listeners close) and finish the deletions under
        way. Devices and records stay."""
        self.proxy.close()
        self._settle()

    def devices(self) -> list[str]:
        """Every device present on the host whose name has one of our prefixes."""
        return self.links.link_names(self.options.prefixes)

    def leaks(self) -> list[str]:
        """Devices with our prefixes that no record accounts for: what a crash or a bug left."""
        with self._lock:
            known = {n.bridge for n in self._state().values() if n.bridge}
            known |= {ep.veth_host for n in self._state().values() for ep in n.endpoints.values()}
            known |= set(self._deleting)
            return [d for d in self.devices() if d not in known]

    def _sync_masquerade(self) -> None:
        if not self.options.masquerade:
            return
        nets = [n for n in self._state().values() if n.driver == DRIVER_BRIDGE]
        self.masquerade.apply([MasqueradeNet(n.name, n.subnet, n.bridge) for n in nets if not n.internal],
                              [n.bridge for n in nets])
