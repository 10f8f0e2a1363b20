"""``docker rmi`` / ``image rm``: untag, and delete what no tag or container holds."""

from __future__ import annotations

import argparse

from sandbox.errors import EngineError

from ._args import DockerArgumentParser, require_args
from ._context import Context


def parser_rmi() -> DockerArgumentParser:
    p = DockerArgumentParser("rmi", "docker rmi [OPTIONS] IMAGE [IMAGE...]", "Remove one or more images")
    p.add_argument("-f", "--force", action="store_true", help="Force removal of the image")
    p.add_argument("--no-prune", action="store_true", help="Do not delete untagged parents")
    return p


def run_rmi(ctx: Context, ns: argparse.Namespace) -> int:
    require_args(parser_rmi(), ns.args, 1)
    failed = False
    for name in ns.args:
        try:
            results = ctx.client.images.remove(name, force=ns.force, noprune=ns.no_prune)
        except EngineError as err:
            ctx.err(f"Error response from daemon: {err.message}")
            failed = True
            continue
        for item in results:
            if item.get("Untagged"):
                ctx.out(f"Untagged: {item['Untagged']}")
            if item.get("Deleted"):
                ctx.out(f"Deleted: {item['Deleted']}")
    return 1 if failed else 0
