"""``docker save`` (and ``image save``): images to a tar archive, a file (``-o``) or stdout."""

from __future__ import annotations

import argparse
import os

from sandbox.errors import UsageError

from . import _imageapi as imageapi
from ._args import DockerArgumentParser, require_args
from ._context import Context
from ._terminal import is_terminal


def parser_save() -> DockerArgumentParser:
    p = DockerArgumentParser("save", "docker save [OPTIONS] IMAGE [IMAGE...]",
                             "Save one or more images to a tar archive (streamed to STDOUT by default)")
    p.add_argument("-o", "--output", default="", help="Write to a file, instead of STDOUT")
    return p


def run_save(ctx: Context, ns: argparse.Namespace) -> int:
    require_args(parser_save(), ns.args, 1)
    if not ns.output and is_terminal(ctx.stdout):
        raise UsageError("save", "cowardly refusing to save to a terminal. Use the -o flag or redirect",
                         exit_code=1)
    output = ctx.local_path(ns.output) if ns.output else None
    if output is not None:
        directory = str(output.parent)
        if not os.path.isdir(directory):
            raise UsageError("save", f"failed to save image: invalid output path: directory {directory!r} does "
                                     "not exist", exit_code=1)
    response = imageapi.save(ctx, ns.args)
    try:
        if output is not None:
            # Written beside the target and renamed over it, so a failed save leaves no half archive.
            tmp = f"{output}.{os.getpid()}.part"
            try:
                with open(tmp, "wb") as out:
                    while chunk := response.read1(1 << 16):
                        out.write(chunk)
                os.replace(tmp, output)
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)
        else:
            while chunk := response.read1(1 << 16):
                ctx.write_bytes(chunk)
    finally:
        response.close()
    return 0
