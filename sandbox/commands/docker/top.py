"""``docker top``: the container's processes, as ps prints them inside the engine."""

from __future__ import annotations

import argparse

from sandbox.commands.render.tabwriter import TabWriter

from ._args import DockerArgumentParser, require_args
from ._context import Context


def parser_top() -> DockerArgumentParser:
    return DockerArgumentParser("top", "docker top CONTAINER [ps OPTIONS]", "Display the running processes of a container",
                                interspersed=False)


def run_top(ctx: Context, ns: argparse.Namespace) -> int:
    require_args(parser_top(), ns.args, 1)
    container, ps_args = ns.args[0], ns.args[1:]
    result = ctx.client.containers.top(container, ps_args=" ".join(ps_args) or None)
    lines = ["\t".join(result.get("Titles") or [])]
    lines += ["\t".join(str(cell) for cell in proc) for proc in result.get("Processes") or []]
    # docker top's own table: columns at least 20 wide.
    ctx.stdout.write(TabWriter(minwidth=20, padding=3).format("\n".join(lines) + "\n"))
    return 0
