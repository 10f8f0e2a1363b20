"""``docker load`` (and ``image load``): images from a tar archive, a file (``-i``) or stdin."""

from __future__ import annotations

import argparse
import sys

from sandbox.errors import LocalFileError, UsageError

from . import _imageapi as imageapi
from ._args import DockerArgumentParser, require_args
from ._context import Context
from ._progress import show_progress
from ._terminal import is_terminal


def parser_load() -> DockerArgumentParser:
    p = DockerArgumentParser("load", "docker load [OPTIONS]", "Load an image from a tar archive or STDIN")
    p.add_argument("-i", "--input", default="", help="Read from tar archive file, instead of STDIN")
    p.add_argument("-q", "--quiet", action="store_true", help="Suppress the load output")
    return p


def read_input(ctx: Context, path: str, command: str) -> bytes:
    """The archive from a file (relative to the invocation's cwd), or from stdin (never
    from a terminal)."""
    if path:
        try:
            with open(ctx.local_path(path), "rb") as f:
                return f.read()
        except OSError as e:
            raise LocalFileError(f"open {path}: {e.strerror.lower() if e.strerror else e}") from None
    stream = ctx.stdin if ctx.stdin is not None else sys.stdin
    if is_terminal(stream):
        raise UsageError(command, "requested load from stdin, but stdin is empty", exit_code=1)
    buffer = getattr(stream, "buffer", None)
    return bytes(buffer.read()) if buffer is not None else str(stream.read()).encode("latin-1")


def run_load(ctx: Context, ns: argparse.Namespace) -> int:
    require_args(parser_load(), ns.args, 0, 0)
    data = read_input(ctx, ns.input, "load")
    with imageapi.load(ctx, data, ns.quiet) as stream:
        show_progress(ctx, stream)
    return 0
