"""``docker pull``: make an image available locally; prints its progress and full name."""

from __future__ import annotations

import argparse

from ._args import DockerArgumentParser, require_args
from ._context import Context
from ._pull import pull, split_for_pull


def parser_pull() -> DockerArgumentParser:
    p = DockerArgumentParser("pull", "docker pull [OPTIONS] NAME[:TAG|@DIGEST]", "Download an image from a registry")
    p.add_argument("-a", "--all-tags", action="store_true", help="Download all tagged images in the repository")
    p.add_argument("--platform", default="", help="Set platform if server is multi-platform capable")
    p.add_argument("-q", "--quiet", action="store_true", help="Suppress verbose output")
    return p


def run_pull(ctx: Context, ns: argparse.Namespace) -> int:
    require_args(parser_pull(), ns.args, 1, 1)
    image = ns.args[0]
    pull(ctx, image, ctx.stdout, quiet=ns.quiet)
    name, tag = split_for_pull(image)
    sep = "@" if tag and tag.startswith("sha256:") else ":"
    ctx.out(f"{name}{sep}{tag}" if tag else name)
    return 0
