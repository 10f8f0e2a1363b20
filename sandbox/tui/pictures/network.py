"""The network picture: the bridge, a veth pair per container (host end on the bridge,
``eth0`` in the container's namespace) with addresses, and the published ports."""

from __future__ import annotations

from textual.content import Content

from ..format import truncate
from .base import Picture, lines
from .models.network import NetworkView


class NetworkPicture(Picture):
    kind = "network"

    def draw(self, view: NetworkView, width: int) -> Content:
        out = [Content.assemble(("network ", "$text-muted"), (view.name or view.id[:12], "bold"), "  ",
                                (view.driver, "$text-muted"), "  ", view.subnet,
                                (f"  gw {view.gateway}" if view.gateway else "", "$text-muted"))]
        if view.bridge:
            state = f" ({view.bridge_state})" if view.bridge_state else ""
            out.append(Content.assemble(("▣ bridge ", "$primary bold"), (view.bridge, "$primary bold"), " ",
                                        view.bridge_address, (state, "$text-muted")))
        elif not view.endpoints:
            out.append(Content.styled("(no bridge: this network mode has no devices of its own)", "$text-muted"))
        for i, ep in enumerate(view.endpoints):
            last = i == len(view.endpoints) - 1
            branch, cont = ("└─", "   ") if last else ("├─", "│  ")
            addr = f"{ep.ip}/{ep.prefixlen}" if ep.ip and ep.prefixlen is not None else ep.ip or "no address"
            link = ("═╳═", "$error") if ep.state in ("down", "missing") else ("═══", "$accent")
            out.append(Content.assemble((branch + " ", "$primary"), (ep.host_ifname, "$primary"), " ", link, " ",
                                        (ep.ifname, "$accent"), " ", (ep.container, "bold")))
            out.append(Content.assemble((cont + "   ", "$primary"), (addr, "$success"),
                                        (f"  {ep.mac}" if ep.mac and width >= 50 else "", "$text-muted")))
        if not view.endpoints:
            out.append(Content.styled("   (no containers attached)", "$text-muted"))
        out.append(Content(""))
        out.append(Content.styled("published ports", "$text-muted underline"))
        if not view.ports:
            out.append(Content.styled("(none)", "$text-muted"))
        for p in view.ports:
            conns = f"  ({p.connections} open)" if p.connections else ""
            out.append(Content.assemble((f"{p.host_ip}:{p.host_port}", "$warning bold"), " → ",
                                        truncate(f"{p.container}:{p.container_port}/{p.proto}", width - 25),
                                        (conns, "$text-muted")))
        return lines(out)
