"""``docker export``: the container's filesystem as a tar stream, to a file or stdout."""

from __future__ import annotations

import argparse
import os

from sandbox.errors import UsageError

from ._args import DockerArgumentParser, require_args
from ._context import Context
from ._terminal import is_terminal


def parser_export() -> DockerArgumentParser:
    p = DockerArgumentParser("export", "docker export [OPTIONS] CONTAINER",
                             "Export a container's filesystem as a tar archive")
    p.add_argument("-o", "--output", default="", help="Write to a file, instead of STDOUT")
    return p


def run_export(ctx: Context, ns: argparse.Namespace) -> int:
    require_args(parser_export(), ns.args, 1, 1)
    if not ns.output and is_terminal(ctx.stdout):
        raise UsageError("export", "cowardly refusing to save to a terminal. Use the -o flag or redirect",
                         exit_code=1)
    stream = ctx.client.containers.export(ns.args[0])
    with stream:
        if ns.output:
            output = ctx.local_path(ns.output)
            directory = str(output.parent)
            if not os.path.isdir(directory):
                raise UsageError("export", f"failed to export container: invalid output path: "
                                           f"directory {directory!r} does not exist", exit_code=1)
            with open(output, "wb") as out:
                for chunk in stream:
                    out.write(chunk)
        else:
            for chunk in stream:
                ctx.write_bytes(chunk)
    return 0
