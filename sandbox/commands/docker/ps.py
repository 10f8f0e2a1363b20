"""``docker ps``: list containers as a table, ids (-q), or any --format."""

from __future__ import annotations

import argparse

from ._args import DockerArgumentParser, require_args
from ._containers import PS_HEADER, PS_TABLE, ContainerRow
from ._context import Context
from ._filters import parse_filters
from ._format import probe, resolve_format, render_rows


def parser_ps() -> DockerArgumentParser:
    p = DockerArgumentParser("ps", "docker ps [OPTIONS]", "List containers")
    p.add_argument("-a", "--all", action="store_true", help="Show all containers (default shows just running)")
    p.add_argument("-f", "--filter", action="append", default=[], help="Filter output based on conditions provided")
    p.add_argument("--format", default="", help="Format output using a custom template")
    p.add_argument("-n", "--last", type=int, default=-1, help="Show n last created containers (includes all states)")
    p.add_argument("-l", "--latest", action="store_true", help="Show the latest created container (includes all states)")
    p.add_argument("--no-trunc", action="store_true", help="Don't truncate output")
    p.add_argument("-q", "--quiet", action="store_true", help="Only display container IDs")
    p.add_argument("-s", "--size", action="store_true", default=None, help="Display total file sizes")
    return p


def run_ps(ctx: Context, ns: argparse.Namespace) -> int:
    require_args(parser_ps(), ns.args, 0, 0)
    if ns.format and ns.quiet:
        ctx.err("WARNING: Ignoring custom format, because both --format and --quiet are set.")
    size = bool(ns.size)
    if ns.format and not ns.quiet and ns.size is None:
        row = ContainerRow({})
        probe(ns.format, row)
        size = "Size" in row.fields_used
    limit = ns.last if ns.last > 0 else (1 if ns.latest else None)
    containers = ctx.client.containers.list(all=ns.all, filters=parse_filters("ps", ns.filter),
                                            limit=limit, size=size)
    table = PS_TABLE + ("\t{{.Size}}" if size else "")
    fmt = resolve_format(ns.format, table, quiet=ns.quiet)
    render_rows(ctx, fmt, [ContainerRow(c, trunc=not ns.no_trunc) for c in containers], PS_HEADER)
    return 0
