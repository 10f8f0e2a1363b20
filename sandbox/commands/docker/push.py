"""``docker push`` (and ``image push``): upload an image to its registry, with per-layer
progress; the login stored for the registry (``docker login``) goes with the request."""

from __future__ import annotations

import argparse

from sandbox.errors import UsageError

from . import _imageapi as imageapi
from ._args import DockerArgumentParser, require_args
from ._context import Context
from ._progress import show_progress
from ._refs import parse_normalized


def parser_push() -> DockerArgumentParser:
    p = DockerArgumentParser("push", "docker push [OPTIONS] NAME[:TAG]", "Upload an image to a registry")
    p.add_argument("-a", "--all-tags", action="store_true", help="Push all tags of an image to the repository")
    p.add_argument("-q", "--quiet", action="store_true", help="Suppress verbose output")
    return p


def run_push(ctx: Context, ns: argparse.Namespace) -> int:
    require_args(parser_push(), ns.args, 1, 1)
    ref = parse_normalized(ns.args[0])
    if ref is None or ref.digest:
        raise UsageError("push", f"invalid reference format: {ns.args[0]!r}", exit_code=1)
    if ns.all_tags and ref.tag:
        raise UsageError("push", "tag can't be used with --all-tags/-a", exit_code=1)
    tag = None if ns.all_tags else (ref.tag or "latest")
    if tag is not None and not ref.tag and not ns.quiet:
        ctx.out("Using default tag: latest")
    with imageapi.push(ctx, ref.familiar_name, tag) as stream:
        show_progress(ctx, stream, quiet=ns.quiet)
    if ns.quiet:
        ctx.out(f"{ref.familiar_name}:{tag}" if tag else ref.familiar_name)
    return 0
