"""``docker network create/ls/inspect/rm/connect/disconnect/prune``: docker 28's flags,
tables and messages."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

from sandbox.commands.render.gostrings import truncate_id
from sandbox.commands.render.gotime import parse_rfc3339_nano
from sandbox.errors import EngineError, UsageError

from ._args import DockerArgumentParser, require_args
from ._context import Context
from ._filters import parse_filters
from ._format import Row, render_rows, resolve_format
from ._natural import natural_key
from ._runopts import labels as key_values
from .inspect import _inspect
from .prune import _confirm

NETWORK_TABLE = "table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}"
NETWORK_HEADER = {"ID": "NETWORK ID", "Name": "NAME", "Driver": "DRIVER", "Scope": "SCOPE", "IPv4": "IPV4",
                  "IPv6": "IPV6", "Internal": "INTERNAL", "Labels": "LABELS", "CreatedAt": "CREATED AT"}
PRUNE_WARNING = "WARNING! This will remove all custom networks not used by at least one container."


def go_time(text: str) -> str:
    """Go's ``Time.String()`` of a time the engine sent as RFC 3339: nanoseconds without
    trailing zeros, and ``+0000 UTC`` for a ``Z`` time (JSON decodes those to UTC)."""
    nanos = parse_rfc3339_nano(text)
    if nanos is None:
        return "0001-01-01 00:00:00 +0000 UTC"
    seconds, frac = divmod(nanos, 1_000_000_000)
    moment = datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(seconds=seconds)
    fraction = f".{frac:09d}".rstrip("0") if frac else ""
    return moment.strftime("%Y-%m-%d %H:%M:%S") + fraction + " +0000 UTC"


def _bool(value: object) -> str:
    return "true" if value else "false"


class NetworkRow(Row):
    FIELDS = ("CreatedAt", "Driver", "ID", "IPv4", "IPv6", "Internal", "Labels", "Name", "Scope")
    go_type = "*network.networkContext"

    def __init__(self, net: Mapping[str, Any], trunc: bool = True) -> None:
        self.n = net
        self.trunc = trunc

    def ID(self) -> str:
        ident = str(self.n.get("Id", ""))
        return truncate_id(ident) if self.trunc else ident

    def Name(self) -> str:
        return str(self.n.get("Name", ""))

    def Driver(self) -> str:
        return str(self.n.get("Driver", ""))

    def Scope(self) -> str:
        return str(self.n.get("Scope", ""))

    def IPv4(self) -> str:
        return _bool(self.n.get("EnableIPv4", False))

    def IPv6(self) -> str:
        return _bool(self.n.get("EnableIPv6", False))

    def Internal(self) -> str:
        return _bool(self.n.get("Internal", False))

    def Labels(self) -> str:
        return ",".join(sorted(f"{k}={v}" for k, v in (self.n.get("Labels") or {}).items()))

    def Label(self, name: str) -> str:
        return str((self.n.get("Labels") or {}).get(name, ""))

    def CreatedAt(self) -> str:
        return go_time(str(self.n.get("Created", "")))


# -- create --------------------------------------------------------------------------------

def parser_network_create() -> DockerArgumentParser:
    p = DockerArgumentParser("network create", "docker network create [OPTIONS] NETWORK", "Create a network")
    a = p.add_argument
    a("-d", "--driver", default="bridge", help="Driver to manage the Network")
    a("-o", "--opt", action="append", default=[], help="Set driver specific options")
    a("--label", action="append", default=[], help="Set metadata on a network")
    a("--internal", action="store_true", help="Restrict external access to the network")
    a("--ipv6", action="store_true", default=None, help="Enable or disable IPv6 address assignment")
    a("--attachable", action="store_true", help="Enable manual container attachment")
    a("--scope", default="", help="Control the network's scope")
    a("--ipam-driver", default="default", help="IP Address Management Driver")
    a("--subnet", action="append", default=[], help="Subnet in CIDR format that represents a network segment")
    a("--gateway", action="append", default=[], help="IPv4 or IPv6 Gateway for the master subnet")
    return p


def _split_commas(values: list[str]) -> list[str]:
    # pflag's StringSlice and IPSlice flags take comma-separated lists as well as repeats.
    return [part for value in values for part in value.split(",") if part]


def run_network_create(ctx: Context, ns: argparse.Namespace) -> int:
    require_args(parser_network_create(), ns.args, 1, 1)
    subnets, gateways = _split_commas(ns.subnet), _split_commas(ns.gateway)
    if len(gateways) > len(subnets):
        ctx.err("every ip-range or gateway must have a corresponding subnet")
        return 1
    options: dict[str, str] = {}
    for value in ns.opt:
        key, _, val = value.partition("=")
        options[key] = val
    created = ctx.client.networks.create(ns.args[0], driver=ns.driver, subnets=subnets, gateways=gateways,
                                         ipam_driver=ns.ipam_driver, internal=ns.internal,
                                         attachable=ns.attachable, labels=key_values(ns.label),
                                         options=options, scope=ns.scope, enable_ipv6=ns.ipv6)
    ctx.out(str(created.get("Id", "")))
    return 0


# -- ls ------------------------------------------------------------------------------------

def parser_network_ls() -> DockerArgumentParser:
    p = DockerArgumentParser("network ls", "docker network ls [OPTIONS]", "List networks")
    p.add_argument("-f", "--filter", action="append", default=[], help="Provide filter values (e.g. \"driver=bridge\")")
    p.add_argument("--format", default="", help="Format output using a custom template")
    p.add_argument("--no-trunc", action="store_true", help="Do not truncate the output")
    p.add_argument("-q", "--quiet", action="store_true", help="Only display network IDs")
    return p


def run_network_ls(ctx: Context, ns: argparse.Namespace) -> int:
    require_args(parser_network_ls(), ns.args, 0, 0)
    nets = ctx.client.networks.list(filters=parse_filters("network ls", ns.filter))
    nets = sorted(nets, key=lambda n: natural_key(str(n.get("Name", ""))))
    fmt = resolve_format(ns.format, NETWORK_TABLE, ns.quiet)
    render_rows(ctx, fmt, [NetworkRow(n, trunc=not ns.no_trunc) for n in nets], NETWORK_HEADER)
    return 0


# -- inspect -------------------------------------------------------------------------------

def parser_network_inspect() -> DockerArgumentParser:
    p = DockerArgumentParser("network inspect", "docker network inspect [OPTIONS] NETWORK [NETWORK...]",
                             "Display detailed information on one or more networks")
    p.add_argument("-f", "--format", default="", help="Format output using a custom template")
    p.add_argument("-v", "--verbose", action="store_true", help="Verbose output for diagnostics")
    return p


def run_network_inspect(ctx: Context, ns: argparse.Namespace) -> int:
    require_args(parser_network_inspect(), ns.args, 1)
    return _inspect(ctx, ns.args, ns.format, "network")


# -- rm ------------------------------------------------------------------------------------

def parser_network_rm() -> DockerArgumentParser:
    p = DockerArgumentParser("network rm", "docker network rm NETWORK [NETWORK...]", "Remove one or more networks")
    p.add_argument("-f", "--force", action="store_true", help="Do not error if the network does not exist")
    return p


def run_network_rm(ctx: Context, ns: argparse.Namespace) -> int:
    require_args(parser_network_rm(), ns.args, 1)
    failed = False
    for name in ns.args:
        try:
            ctx.client.networks.remove(name)
        except EngineError as err:
            if ns.force and err.status == 404:
                continue
            ctx.err(f"Error response from daemon: {err.message}")
            failed = True
            continue
        ctx.out(name)
    if failed:
        # docker returns a bare StatusError here, which its main prints as it is.
        ctx.err("exit status 1")
        return 1
    return 0


# -- connect / disconnect ------------------------------------------------------------------

def parser_network_connect() -> DockerArgumentParser:
    p = DockerArgumentParser("network connect", "docker network connect [OPTIONS] NETWORK CONTAINER",
                             "Connect a container to a network")
    a = p.add_argument
    a("--alias", action="append", default=[], help="Add network-scoped alias for the container")
    a("--driver-opt", action="append", default=[], help="driver options for the network")
    a("--ip", default="", help="IPv4 address (e.g., \"172.30.100.104\")")
    a("--ip6", default="", help="IPv6 address (e.g., \"2001:db8::33\")")
    a("--link", action="append", default=[], help="Add link to another container")
    return p


def run_network_connect(ctx: Context, ns: argparse.Namespace) -> int:
    require_args(parser_network_connect(), ns.args, 2, 2)
    for link in ns.link:
        if not link or link.startswith(":"):
            raise UsageError("network connect", f'invalid argument "{link}" for "--link" flag: '
                                                "bad format for links", exit_code=125)
    network, container = ns.args
    ctx.client.networks.connect(network, container, aliases=ns.alias, ipv4=ns.ip, ipv6=ns.ip6, links=ns.link,
                                driver_opts=key_values(ns.driver_opt))
    return 0


def parser_network_disconnect() -> DockerArgumentParser:
    p = DockerArgumentParser("network disconnect", "docker network disconnect [OPTIONS] NETWORK CONTAINER",
                             "Disconnect a container from a network")
    p.add_argument("-f", "--force", action="store_true", help="Force the container to disconnect from a network")
    return p


def run_network_disconnect(ctx: Context, ns: argparse.Namespace) -> int:
    require_args(parser_network_disconnect(), ns.args, 2, 2)
    network, container = ns.args
    ctx.client.networks.disconnect(network, container, force=ns.force)
    return 0


# -- prune ---------------------------------------------------------------------------------

def parser_network_prune() -> DockerArgumentParser:
    p = DockerArgumentParser("network prune", "docker network prune [OPTIONS]", "Remove all unused networks")
    p.add_argument("--filter", action="append", default=[], help="Provide filter values (e.g. \"until=<timestamp>\")")
    p.add_argument("-f", "--force", action="store_true", help="Do not prompt for confirmation")
    return p


def run_network_prune(ctx: Context, ns: argparse.Namespace) -> int:
    require_args(parser_network_prune(), ns.args, 0, 0)
    if not ns.force and not _confirm(ctx, PRUNE_WARNING):
        return 0
    report = ctx.client.networks.prune(filters=parse_filters("network prune", ns.filter))
    deleted = report.get("NetworksDeleted") or []
    if deleted:
        ctx.out("Deleted Networks:")
        for name in deleted:
            ctx.out(name)
        ctx.out()
    return 0
