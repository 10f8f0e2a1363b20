"""``docker diff``: files added (A), changed (C) or deleted (D) in the container's layer."""

from __future__ import annotations

import argparse

from ._args import DockerArgumentParser, require_args
from ._context import Context

KINDS = {0: "C", 1: "A", 2: "D"}


def parser_diff() -> DockerArgumentParser:
    return DockerArgumentParser("diff", "docker diff CONTAINER",
                                "Inspect changes to files or directories on a container's filesystem")


def run_diff(ctx: Context, ns: argparse.Namespace) -> int:
    require_args(parser_diff(), ns.args, 1, 1)
    for change in ctx.client.containers.changes(ns.args[0]):
        ctx.out(f"{KINDS.get(int(change.get('Kind', 0)), '?')} {change.get('Path', '')}")
    return 0
