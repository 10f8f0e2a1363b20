"""Outbound access for containers (masquerade), for the classroom VM only.

Off by default, and never turned on by a test: it is the one part of networking that
changes the host beyond our own devices. When ``NetworkOptions.masquerade`` is on (the VM's
provisioning sets ``SANDBOX_MASQUERADE=1``), the manager keeps one nftables table,
``ip <table>``, in step with its networks:

* ``postrouting``: traffic from a non-internal network's subnet leaving by any other
  interface than its own bridge is masqueraded (source NAT to the outgoing address);
* ``forward``: traffic between two of our bridges is dropped, so networks stay isolated
  from each other once their bridges forward (see ``BridgePlan.forwarding``).

The whole table is replaced in one ``nft -f -`` transaction each time, so it is never half
written, and ``remove`` deletes it. It needs ``net.ipv4.ip_forward=1``, which we do not
set ourselves: the VM's provisioning does, and ``apply`` refuses with a clear error if it
is off. Rules go through the ``nft`` program, not netlink: pyroute2's nftables support is too
thin to express these rules safely.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from sandbox.errors import NetlinkFailed
from sandbox.linux.trace import NULL_TRACER, Tracer

NftRunner = Callable[[str], None]


@dataclass(frozen=True)
class MasqueradeNet:
    name: str
    subnet: str
    bridge: str


def render_ruleset(table: str, nets: Iterable[MasqueradeNet], bridges: Iterable[str]) -> str:
    """The nft script that replaces ``ip <table>`` with rules for ``nets``."""
    nets = list(nets)
    all_bridges = sorted(set(bridges))
    lines = [f"table ip {table}", f"delete table ip {table}", f"table ip {table} {{",
             "  chain postrouting {",
             "    type nat hook postrouting priority srcnat; policy accept;"]
    for n in nets:
        lines.append(f'    ip saddr {n.subnet} oifname != "{n.bridge}" masquerade comment "{n.name}"')
    lines += ["  }", "  chain forward {", "    type filter hook forward priority filter; policy accept;"]
    if len(all_bridges) > 1:
        group = ", ".join(f'"{b}"' for b in all_bridges)
        for b in all_bridges:
            lines.append(f'    iifname "{b}" oifname != "{b}" oifname {{ {group} }} drop')
    lines += ["  }", "}"]
    return "\n".join(lines) + "\n"


def render_removal(table: str) -> str:
    # Declaring the table first makes the delete succeed even when it does not exist.
    return f"table ip {table}\ndelete table ip {table}\n"


def run_nft(script: str) -> None:
    try:
        proc = subprocess.run(["nft", "-f", "-"], input=script, text=True, capture_output=True, check=False)
    except FileNotFoundError:
        raise NetlinkFailed("nft", None, None, "the nft program is not installed",
                            hint="apt-get install nftables") from None
    if proc.returncode != 0:
        raise NetlinkFailed("nft", None, None, proc.stderr.strip() or f"exit status {proc.returncode}")


class Masquerade:
    def __init__(self, table: str = "sandbox", runner: NftRunner = run_nft, tracer: Tracer = NULL_TRACER,
                 ip_forward: Path = Path("/proc/sys/net/ipv4/ip_forward")) -> None:
        self.table = table
        self.runner = runner
        self.tracer = tracer
        self.ip_forward = ip_forward

    def apply(self, nets: Iterable[MasqueradeNet], bridges: Iterable[str]) -> None:
        if self.ip_forward.read_text().strip() != "1":
            raise NetlinkFailed("masquerade", None, None, "net.ipv4.ip_forward is 0 on this host",
                                hint="the classroom VM's provisioning turns it on; or leave masquerade off")
        script = render_ruleset(self.table, nets, bridges)
        self.tracer.emit("nft.apply", table=self.table)
        self.runner(script)

    def remove(self) -> None:
        self.tracer.emit("nft.remove", table=self.table)
        self.runner(render_removal(self.table))
