"""Published ports in Docker's shapes: ``HostConfig.PortBindings`` in, ``NetworkSettings.Ports``
(what ``docker port`` reads) and ``docker ps``'s ``Ports`` out. Pure functions, no kernel."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sandbox.errors import InvalidParameter

if TYPE_CHECKING:
    from sandbox.network import PortBinding

PROTOCOLS = ("tcp", "udp")


@dataclass(frozen=True)
class Wanted:
    """One ``-p``: the container's port, and the host address and port range to bind."""

    container_port: int
    proto: str
    host_ip: str
    host_ports: tuple[int, int]
    """(first, last); (0, 0) asks for any free port."""


def _port_number(text: str, field: str) -> int:
    if not text.isdigit() or not 0 < int(text) <= 65535:
        raise InvalidParameter(f"invalid port {text!r}: it must be a number from 1 to 65535", field,
                               "-p [HOST_IP:]HOST_PORT:CONTAINER_PORT[/tcp|udp]")
    return int(text)


def parse_key(key: str) -> tuple[int, str]:
    """``"80/tcp"`` (or ``"80"``) -> (80, "tcp")."""
    port, _, proto = str(key).partition("/")
    proto = (proto or "tcp").lower()
    if proto not in PROTOCOLS:
        raise InvalidParameter(f"invalid protocol {proto!r} in port {key!r}", "HostConfig.PortBindings",
                               "publish tcp or udp ports")
    return _port_number(port, "HostConfig.PortBindings"), proto


def _host_range(text: str) -> tuple[int, int]:
    if text in ("", "0"):
        return 0, 0  # any free port, as -P gives
    first, dash, last = text.partition("-")
    lo = _port_number(first, "HostConfig.PortBindings.HostPort")
    hi = _port_number(last, "HostConfig.PortBindings.HostPort") if dash else lo
    if hi < lo:
        raise InvalidParameter(f"invalid host port range {text!r}", "HostConfig.PortBindings.HostPort")
    return lo, hi


def wanted(host: dict[str, Any], config: dict[str, Any]) -> list[Wanted]:
    """Every binding to make at start: ``PortBindings`` and, with ``-P``, every exposed port
    not bound already (to a free host port)."""
    out: list[Wanted] = []
    bindings = host.get("PortBindings") or {}
    if not isinstance(bindings, dict):
        raise InvalidParameter("PortBindings must be a map of port to bindings", "HostConfig.PortBindings")
    for key, entries in bindings.items():
        port, proto = parse_key(key)
        for b in entries or [{}]:
            if not isinstance(b, dict):
                raise InvalidParameter(f"invalid binding for {key}: {b!r}", "HostConfig.PortBindings")
            out.append(Wanted(port, proto, str(b.get("HostIp") or ""), _host_range(str(b.get("HostPort") or ""))))
    if host.get("PublishAllPorts"):
        bound = {parse_key(k) for k in bindings}
        for key in config.get("ExposedPorts") or {}:
            port, proto = parse_key(key)
            if (port, proto) not in bound:
                out.append(Wanted(port, proto, "", (0, 0)))
    return out


def _keys(host: dict[str, Any], config: dict[str, Any]) -> list[str]:
    seen: dict[str, None] = {}
    for key in list(config.get("ExposedPorts") or {}) + list(host.get("PortBindings") or {}):
        port, proto = parse_key(key)
        seen[f"{port}/{proto}"] = None
    return list(seen)


def ports_map(host: dict[str, Any], config: dict[str, Any], bound: list[PortBinding]) -> dict[str, Any]:
    """``NetworkSettings.Ports``: each exposed or published port, with its host bindings or
    null when it is not published."""
    out: dict[str, Any] = {k: None for k in _keys(host, config)}
    for b in bound:
        key = f"{b.container_port}/{b.proto}"
        if out.get(key) is None:
            out[key] = []
        out[key].append({"HostIp": b.host_ip, "HostPort": str(b.host_port)})
    return out


def summary_ports(host: dict[str, Any], config: dict[str, Any], bound: list[PortBinding]) -> list[dict[str, Any]]:
    """``docker ps``'s ``Ports``: published ones with their host side, the others bare."""
    out: list[dict[str, Any]] = [{"IP": b.host_ip, "PrivatePort": b.container_port, "PublicPort": b.host_port,
                                  "Type": b.proto} for b in bound]
    published = {(b.container_port, b.proto) for b in bound}
    for key in _keys(host, config):
        port, proto = parse_key(key)
        if (port, proto) not in published:
            out.append({"PrivatePort": port, "Type": proto})
    return out
