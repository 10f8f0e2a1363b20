"""``show net``: a network as its bridge, one veth pair per container, the addresses,
and the ports published to the host.

A veth pair is a cable with two ends: one end is a port of the bridge on the host, the
other is ``eth0`` inside the container's network namespace. Packets between containers
cross the bridge; a published port is the engine listening on the host and passing
connections on to the container's address.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from prompt_toolkit.formatted_text import StyleAndTextTuples

from .draw import Line, clip, picture, short_id, title


def _state_style(state: str) -> str:
    return "class:good" if state == "up" else "class:bad" if state in ("down", "missing") else "class:dim"


def render(data: Mapping[str, Any], *, width: int = 80) -> StyleAndTextTuples:
    net = data.get("network") or {}
    bridge = data.get("bridge") or {}
    endpoints = [e for e in data.get("endpoints") or [] if isinstance(e, Mapping)]
    ports = [p for p in data.get("ports") or [] if isinstance(p, Mapping)]
    facts = [str(net.get("driver") or ""), str(net.get("subnet") or ""),
             f"gateway {net['gateway']}" if net.get("gateway") else "",
             "internal" if net.get("internal") else "",
             "names resolve" if net.get("resolves_names") else ""]
    lines: list[Line] = [title(f"network {net.get('name') or short_id(str(net.get('id') or ''))}",
                               "  ".join(f for f in facts if f))]
    if not bridge:
        lines.append([("class:dim", "  no bridge: containers here have only their own loopback, or the host's stack")])
    else:
        state = str(bridge.get("state") or "")
        addresses = ", ".join(bridge.get("addresses") or [])
        lines.append([("class:heading", "  bridge "), ("class:accent", str(bridge.get("name") or "?")),
                      ("", f"  {addresses}  " if addresses else "  "), (_state_style(state), state)])
    names = {}
    for i, ep in enumerate(endpoints):
        last = i == len(endpoints) - 1
        names[ep.get("container_id")] = str(ep.get("container_name") or short_id(str(ep.get("container_id") or "")))
        host_state = str(ep.get("veth_host_state") or "")
        left = f"    {'└' if last else '├'}── {ep.get('veth_host') or '?'} "
        inside = f" {ep.get('veth_peer') or 'eth0'} in {names[ep.get('container_id')]}"
        detail = f"  {ep.get('ipv4') or '?'}  {ep.get('mac') or ''}".rstrip()
        lines.append([("class:box", left), (_state_style(host_state), f"({host_state or '?'})"),
                      ("class:box", " ═══"), ("class:accent", inside),
                      ("", clip(detail, max(width - len(left) - len(inside) - 14, 10)))])
    if not endpoints:
        lines.append([("class:dim", "    no containers attached")])
    else:
        lines.append([("class:dim", "    host end (a bridge port) ═══ container end, in the container's net namespace")])
    lines.append([])
    lines.append(title("published ports"))
    if not ports:
        lines.append([("class:dim", "  none (docker run -p HOST:CONTAINER publishes one)")])
    for p in ports:
        who = names.get(p.get("container_id"), short_id(str(p.get("container_id") or "")))
        conns = p.get("connections")
        stats = f"   {conns} open, {p.get('accepted', 0)} accepted" if isinstance(conns, int) else ""
        lines.append([("class:accent", f"  {p.get('host_ip') or '0.0.0.0'}:{p.get('host_port')}"),
                      ("", f" → {who} {p.get('container_ip') or ''}:{p.get('container_port')}/{p.get('proto') or 'tcp'}"),
                      ("class:dim", stats)])
    return picture(lines)
