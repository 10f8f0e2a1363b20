"""``docker tag``: another name for an image."""

from __future__ import annotations

import argparse

from sandbox.errors import UsageError

from ._args import DockerArgumentParser, require_args
from ._context import Context
from ._refs import parse_normalized


def parser_tag() -> DockerArgumentParser:
    return DockerArgumentParser("tag", "docker tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]",
                                "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE")


def run_tag(ctx: Context, ns: argparse.Namespace) -> int:
    require_args(parser_tag(), ns.args, 2, 2)
    source, target = ns.args
    ref = parse_normalized(target)
    if ref is None or ref.digest:
        raise UsageError("tag", f"invalid reference format: {target!r}", exit_code=1)
    # The docker client sends the full name (default registry and library/ included) and
    # the tag as separate query parameters.
    ctx.client.images.tag(source, ref.full_name, ref.tag or "latest")
    return 0
