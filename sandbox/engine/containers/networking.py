"""A container's network, when the engine has a ``NetworkManager``.

The four modes, as dockerd has them:

- ``bridge`` (the default) and a user network's name: the container gets its own network
  namespace, which the engine makes just before the runtime makes the container and
  connects to every network in its ``EndpointsConfig`` while the runtime works (the init
  joins it by path); at start, while the init still waits on the exec fifo, the engine
  waits for that connect and publishes the ports, so the program starts with everything
  in place. When the runtime container goes (exit, stop, failed start, rm)
  the endpoints and ports go with it (``detach``); the addresses return to the pool.
- ``none``: a namespace of its own with only ``lo``.
- ``host``: no network namespace; the host's interfaces, hosts and resolv.conf (copied).
- ``container:X``: joins X's network namespace (``/proc/<X's pid>/ns/net``): X's address,
  X's localhost, X's hosts and resolv.conf files.

Name resolution is the manager's managed hosts file: it is bind-mounted at ``/etc/hosts``
from create on (a bind mount must exist in the spec), and the manager rewrites it in place
when peers come and go, so a running container sees the change.
"""

from __future__ import annotations

import copy
import os
import shutil
import threading
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sandbox.engine.containers import portmap
from sandbox.errors import (
    AddressInUse,
    EndpointExists,
    EndpointNotFound,
    InvalidNetworkConfig,
    InvalidParameter,
    NetworkJoinFailed,
    NetworkModeConflict,
    NetworkNotFound,
    NotConnectable,
    PortAllocated,
)

if TYPE_CHECKING:
    from sandbox.engine.containers.context import Engine
    from sandbox.engine.containers.record import Record
    from sandbox.engine.containers.registry import Container
    from sandbox.network import NetworkManager

HOST_HOSTS = Path("/etc/hosts")
HOST_RESOLV = Path("/etc/resolv.conf")
_SHARED_MODES = ("none", "host")


def mode_of(rec_or_host: Record | dict[str, Any]) -> str:
    host = rec_or_host if isinstance(rec_or_host, dict) else rec_or_host.host_config
    return host.get("NetworkMode") or "bridge"


def joined_container(mode: str) -> str | None:
    """``container:X`` -> X; None for the other modes."""
    return mode.partition(":")[2] if mode.startswith("container:") else None


def has_own_endpoints(mode: str) -> bool:
    """bridge and user networks: the modes whose container is connected to bridges."""
    return mode not in _SHARED_MODES and joined_container(mode) is None


def endpoints_config(rec: Record) -> dict[str, Any]:
    return rec.networking_config.get("EndpointsConfig") or {}


def _endpoint_config(cfg: Any, network: str) -> dict[str, Any]:
    if cfg is None:
        return {}
    if not isinstance(cfg, dict):
        raise InvalidParameter(f"invalid endpoint config for network {network}", "NetworkingConfig")
    return copy.deepcopy(cfg)


def _check_aliases(mgr: NetworkManager, name: str, cfg: dict[str, Any]) -> None:
    if cfg.get("Aliases") and not mgr.network(name).resolves_names:
        raise InvalidNetworkConfig("alias", cfg["Aliases"][0], "network-scoped aliases are supported only "
                                   "for containers in user defined networks",
                                   "create a network with `docker network create` and use --network NAME")


# -- create --------------------------------------------------------------------------------


def check_create(eng: Engine, host: dict[str, Any], config: dict[str, Any],
                 networking: dict[str, Any]) -> dict[str, Any]:
    """Check the mode and the endpoints of a new container; returns the record's
    ``networking_config`` with network names made canonical, its mode's network first."""
    mgr = eng.networks
    if mgr is None:
        return networking
    mode = mode_of(host)
    given = networking.get("EndpointsConfig") or {}
    if not isinstance(given, dict):
        raise InvalidParameter("EndpointsConfig must be a map of network name to endpoint config",
                               "NetworkingConfig.EndpointsConfig")
    portmap.wanted(host, config)  # a bad -p is refused now, not at start
    other = joined_container(mode)
    if other is not None:
        eng.registry.get(other)
        return {"EndpointsConfig": {}}
    if mode in _SHARED_MODES:
        if any(n != mode for n in given):
            raise NetworkModeConflict("new container", mode,
                                      f"container cannot be connected to multiple networks with one of the "
                                      f"networks in {mode} mode")
        return {"EndpointsConfig": {}}
    primary = mgr.network(mode)
    if not primary.bridge:
        raise NotConnectable(primary.name, f"the {primary.name} network is a mode, not a bridge")
    configs: dict[str, Any] = {primary.name: {}}
    for name, cfg in given.items():
        # The CLI names the default network "default" when no --network was given.
        net = mgr.network("bridge" if name == "default" else name)
        if not net.bridge:
            raise NetworkModeConflict("new container", net.name,
                                      "container cannot be disconnected from host network or connected "
                                      "to host network")
        configs[net.name] = _endpoint_config(cfg, net.name)
    for name, cfg in configs.items():
        _check_aliases(mgr, name, cfg)
    return {"EndpointsConfig": configs}


def adjust_config(eng: Engine, host: dict[str, Any], config: dict[str, Any], user_set_hostname: bool) -> None:
    """dockerd's host names for shared modes: X's with ``container:X``, the host's with
    ``host``, unless the request named one."""
    if eng.networks is None or user_set_hostname:
        return
    mode = mode_of(host)
    other = joined_container(mode)
    if other is not None:
        config["Hostname"] = eng.registry.get(other).rec.config.get("Hostname") or config["Hostname"]
    elif mode == "host":
        import socket

        config["Hostname"] = socket.gethostname()


def files(eng: Engine, container_id: str, host: dict[str, Any], paths: dict[str, str]) -> dict[str, str]:
    """The hosts and resolv.conf files the container's /etc gets (``paths`` are the engine's
    own, already written; the returned dict replaces some of them)."""
    mgr = eng.networks
    if mgr is None:
        return dict(paths)
    mode = mode_of(host)
    out = dict(paths)
    other = joined_container(mode)
    if other is not None:
        rec = eng.registry.get(other).rec
        out.update({"hosts": rec.hosts_path, "resolv.conf": rec.resolv_conf_path})
    elif mode == "host":
        # Copies, as dockerd makes them: the container may edit its own without touching the host's.
        for src, key in ((HOST_HOSTS, "hosts"), (HOST_RESOLV, "resolv.conf")):
            if src.is_file():
                shutil.copyfile(src, out[key])
    elif mode != "none":
        out["hosts"] = str(mgr.hosts_file(container_id))
        out["resolv.conf"] = str(mgr.resolv_conf(container_id))
    return out


# -- the runtime spec ----------------------------------------------------------------------


@dataclass(frozen=True)
class Namespace:
    netns: str | None = None
    """A network namespace to join; None: a new one (or none at all with ``host``)."""
    host: bool = False


def namespace(eng: Engine, rec: Record, check_only: bool = False) -> Namespace:
    """The spec's network namespace. ``check_only`` (at create): the container to join need
    not run yet; a spec made then is only validated, never run.

    For a container with endpoints of its own that is about to be made, the engine makes
    the namespace itself and starts connecting it at once (see ``_begin``), so the veths are
    made while the runtime builds the rest of the container."""
    if eng.networks is None:
        return Namespace()
    mode = mode_of(rec)
    if mode == "host":
        return Namespace(host=True)
    other_ref = joined_container(mode)
    if other_ref is None:
        if check_only or not has_own_endpoints(mode) or rec.state.live:
            return Namespace()  # live: an exec's spec, whose namespaces are the container's
        early = _begin(eng, rec)
        return Namespace(netns=early.path if early is not None else None)
    other = eng.registry.get(other_ref)
    if check_only:
        return Namespace()
    if other.id == rec.id:
        raise InvalidParameter("cannot join own network namespace", "HostConfig.NetworkMode")
    s = other.rec.state
    if not (s.live and s.pid):
        raise NetworkJoinFailed(rec.name.lstrip("/"), other.rec.name.lstrip("/"))
    return Namespace(netns=f"/proc/{s.pid}/ns/net")


# -- start and stop ------------------------------------------------------------------------


@dataclass
class _Early:
    """A namespace the engine made for a container before the runtime made the container,
    and the thread connecting it meanwhile."""

    fd: int
    path: str
    thread: threading.Thread | None = None
    first_ip: str = ""
    error: BaseException | None = None


@dataclass
class _EarlyTable:
    lock: threading.Lock = field(default_factory=threading.Lock)
    by_id: dict[str, _Early] = field(default_factory=dict)


_TABLES: weakref.WeakKeyDictionary[NetworkManager, _EarlyTable] = weakref.WeakKeyDictionary()
"""One table per network manager; an entry lives from ``namespace`` to ``attach`` or ``detach``."""


def _table(eng: Engine) -> _EarlyTable:
    assert eng.networks is not None
    return _TABLES.setdefault(eng.networks, _EarlyTable())


def _new_netns() -> int:
    """A new network namespace, held by the returned descriptor only. ``unshare`` moves the
    calling thread alone (a thread has its own nsproxy), and this thread ends right after."""
    from sandbox.linux.syscalls import CLONE_NEWNET, LinuxSyscalls
    from sandbox.network.netns import run_in_thread

    def make() -> int:
        LinuxSyscalls().unshare(CLONE_NEWNET)
        return os.open("/proc/thread-self/ns/net", os.O_RDONLY | os.O_CLOEXEC)

    return run_in_thread(make)


def _connect_all(eng: Engine, rec: Record, netns: str) -> str:
    mgr = eng.networks
    assert mgr is not None
    first_ip = ""
    for name, cfg in endpoints_config(rec).items():
        ipam = cfg.get("IPAMConfig") or {}
        ep = mgr.connect(name, rec.id, rec.name.lstrip("/"), netns, aliases=list(cfg.get("Aliases") or []),
                         ip=ipam.get("IPv4Address") or None, hostname=rec.config.get("Hostname") or None)
        first_ip = first_ip or ep.ip
    return first_ip


def _begin(eng: Engine, rec: Record) -> _Early | None:
    """Make the container's network namespace now and connect it in a thread while the
    runtime makes the container, which joins it by path (``/proc/<engine>/fd/<n>`` is the
    namespace as long as the engine holds the descriptor). The veths cost tens of
    milliseconds of kernel time; done here they overlap the runtime's own work instead of
    following it. None: the namespace could not be made; the runtime makes one as before."""
    from sandbox.errors import SandboxError

    _finish_early(eng, rec.id)  # a previous prepare that never started
    try:
        fd = _new_netns()
    except (SandboxError, OSError):
        return None
    early = _Early(fd, f"/proc/{os.getpid()}/fd/{fd}")

    def work() -> None:
        try:
            early.first_ip = _connect_all(eng, rec, early.path)
        except BaseException as e:  # noqa: BLE001 -- raised again by attach() in the caller's thread
            early.error = e

    early.thread = threading.Thread(target=work, name=f"connect {rec.id[:12]}", daemon=True)
    table = _table(eng)
    with table.lock:
        table.by_id[rec.id] = early
    early.thread.start()
    return early


def _finish_early(eng: Engine, container_id: str) -> _Early | None:
    """Wait for the container's early connect, if any, and let go of its namespace (the
    container's init holds it by now, or nothing needs it any more)."""
    table = _table(eng)
    with table.lock:
        early = table.by_id.pop(container_id, None)
    if early is None:
        return None
    if early.thread is not None:
        early.thread.join()
    os.close(early.fd)
    return early


def attach(eng: Engine, c: Container) -> None:
    """Connect a prepared container (its init waits for start) to its networks and publish
    its ports. The caller holds ``c.lock``; on failure the caller's cleanup calls ``detach``."""
    mgr = eng.networks
    rec = c.rec
    if mgr is None or not has_own_endpoints(mode_of(rec)):
        return
    pid = eng.runtime.state(c.id).pid
    netns = f"/proc/{pid}/ns/net"
    early = _finish_early(eng, c.id)
    if early is not None:
        if early.error is not None:
            raise early.error
        mgr.set_netns(c.id, netns)
        first_ip = early.first_ip
    else:
        first_ip = _connect_all(eng, rec, netns)
    if first_ip:
        publish(eng, c, first_ip)


def publish(eng: Engine, c: Container, container_ip: str) -> None:
    """``-p`` and ``-P``: each wanted binding on its host port, or the first free one of its
    range (a range's taken ports are skipped, as dockerd does)."""
    mgr = eng.networks
    assert mgr is not None
    for w in portmap.wanted(c.rec.host_config, c.rec.config):
        first, last = w.host_ports
        for port in range(first, last + 1):
            try:
                mgr.publish(c.id, w.host_ip, port, container_ip, w.container_port, w.proto)
                break
            except PortAllocated:
                if port == last:
                    raise


def detach(eng: Engine, container_id: str) -> None:
    """The runtime container is going: unpublish its ports, disconnect it everywhere (the
    addresses go back to the pool once the veths are gone, which happens in the background:
    no one waits for a dead container's devices). Its hosts file stays for the next start."""
    mgr = eng.networks
    if mgr is None:
        return
    _finish_early(eng, container_id)
    mgr.unpublish_all(container_id)
    for ep in mgr.endpoints(container_id):
        mgr.disconnect(ep.network_id, container_id, wait=False)


def release(eng: Engine, container_id: str) -> None:
    """``docker rm``: everything the manager keeps for the container, its files included."""
    if eng.networks is not None:
        _finish_early(eng, container_id)
        eng.networks.release_container(container_id)


# -- docker network connect / disconnect ---------------------------------------------------


def _refuse_shared(c: Container, net_name: str) -> None:
    mode = mode_of(c.rec)
    name = c.rec.name.lstrip("/")
    if mode == "host" or net_name == "host":
        raise NetworkModeConflict(name, "host", "container cannot be disconnected from host network or "
                                                "connected to host network")
    if not has_own_endpoints(mode):
        raise NetworkModeConflict(name, mode, f"container sharing network namespace with another container "
                                              f"or in {mode} mode cannot be connected to any other network")


def connect(eng: Engine, c: Container, network: str, endpoint: dict[str, Any] | None) -> None:
    mgr = eng.networks
    assert mgr is not None
    net = mgr.network(network)
    cfg = _endpoint_config(endpoint, net.name)
    with c.lock:
        if not net.bridge and net.name != "host":
            raise NotConnectable(net.name, f"the {net.name} network is a mode, not a bridge")
        _refuse_shared(c, net.name)
        rec = c.rec
        configs = dict(endpoints_config(rec))
        if net.name in configs:
            raise EndpointExists(rec.name.lstrip("/"), net.name)
        _check_aliases(mgr, net.name, cfg)
        ip = (cfg.get("IPAMConfig") or {}).get("IPv4Address") or None
        if rec.state.live:
            pid = eng.runtime.state(c.id).pid
            ep = mgr.connect(net.name, c.id, rec.name.lstrip("/"), f"/proc/{pid}/ns/net",
                             aliases=list(cfg.get("Aliases") or []), ip=ip,
                             hostname=rec.config.get("Hostname") or None)
            if len(mgr.endpoints(c.id)) == 1:
                publish(eng, c, ep.ip)  # its first network: the ports have an address now
        elif ip and ip in mgr.network(net.name).allocated:
            raise AddressInUse(ip, net.name, mgr.network(net.name).allocated[ip][:12])
        configs[net.name] = cfg
        rec.networking_config = {**rec.networking_config, "EndpointsConfig": configs}
        eng.save(c)
    eng.emit("network", "connect", net.id, {"container": c.id, "name": net.name, "type": net.driver})


def disconnect(eng: Engine, c: Container, network: str, force: bool = False) -> None:
    mgr = eng.networks
    assert mgr is not None
    net = mgr.network(network)
    with c.lock:
        _refuse_shared(c, net.name)
        rec = c.rec
        configs = dict(endpoints_config(rec))
        connected = any(ep.network_id == net.id for ep in mgr.endpoints(c.id))
        if net.name not in configs and not connected:
            raise EndpointNotFound(rec.name.lstrip("/"), net.name)
        if connected:
            ep = next(ep for ep in mgr.endpoints(c.id) if ep.network_id == net.id)
            for b in mgr.port_bindings(c.id):
                if b.container_ip == ep.ip:
                    mgr.ports.unpublish(b)  # its address is gone: the relay would lead nowhere
            mgr.disconnect(net.id, c.id)
        configs.pop(net.name, None)
        rec.networking_config = {**rec.networking_config, "EndpointsConfig": configs}
        eng.save(c)
    eng.emit("network", "disconnect", net.id, {"container": c.id, "name": net.name, "type": net.driver})


def rename(eng: Engine, container_id: str, new_name: str) -> None:
    if eng.networks is not None:
        eng.networks.rename_container(container_id, new_name.lstrip("/"))


# -- inspect and ps ------------------------------------------------------------------------


def _endpoint_shape() -> dict[str, Any]:
    from sandbox.engine.containers.shapes import _endpoint

    return _endpoint()


def settings(eng: Engine, rec: Record) -> dict[str, Any] | None:
    """``NetworkSettings`` with real addresses; None without a manager (shapes' default)."""
    mgr = eng.networks
    if mgr is None:
        return None
    from sandbox.engine.containers.shapes import network_settings

    out = network_settings(rec)
    mode = mode_of(rec)
    live = rec.state.live
    eps = {ep.network_name: ep for ep in mgr.endpoints(rec.id)} if live else {}
    networks: dict[str, Any] = {}
    if joined_container(mode) is None:
        names = list(endpoints_config(rec)) if has_own_endpoints(mode) else [mode]
        for name in names:
            entry = _endpoint_shape()
            cfg = endpoints_config(rec).get(name) or {}
            entry["Aliases"] = list(cfg.get("Aliases") or []) or None
            entry["IPAMConfig"] = cfg.get("IPAMConfig") or None
            ep = eps.get(name)
            if ep is not None:
                entry.update({"NetworkID": ep.network_id, "EndpointID": ep.endpoint_id, "Gateway": ep.gateway,
                              "IPAddress": ep.ip, "IPPrefixLen": ep.prefixlen, "MacAddress": ep.mac})
                if mgr.network(ep.network_id).resolves_names:
                    entry["DNSNames"] = [rec.name.lstrip("/"), *ep.aliases, rec.id[:12]]
            else:
                try:
                    entry["NetworkID"] = mgr.network(name).id
                except NetworkNotFound:
                    pass  # removed since: the next start says so
            networks[name] = entry
    out["Networks"] = networks
    primary = eps.get("bridge") if mode == "bridge" else None
    if primary is not None:
        # Docker fills the deprecated top-level fields for the default bridge only.
        out.update({"IPAddress": primary.ip, "Gateway": primary.gateway, "MacAddress": primary.mac,
                    "IPPrefixLen": primary.prefixlen, "EndpointID": primary.endpoint_id,
                    "Bridge": mgr.network(primary.network_id).bridge})
    bound = mgr.port_bindings(rec.id) if live else []
    out["Ports"] = portmap.ports_map(rec.host_config, rec.config, bound) if live else {}
    return out


def summary(eng: Engine, rec: Record) -> tuple[dict[str, Any], list[dict[str, Any]]] | None:
    """``docker ps``'s (``NetworkSettings.Networks``, ``Ports``); None without a manager."""
    full = settings(eng, rec)
    if full is None:
        return None
    bound = eng.networks.port_bindings(rec.id) if eng.networks is not None and rec.state.live else []
    return full["Networks"], portmap.summary_ports(rec.host_config, rec.config, bound)
