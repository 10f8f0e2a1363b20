"""``docker import`` (and ``image import``): a root filesystem tarball (a file, or ``-`` for
stdin) becomes a one-layer image; ``-c`` applies Dockerfile instructions to its config."""

from __future__ import annotations

import argparse

from sandbox.errors import UsageError

from . import _imageapi as imageapi
from ._args import DockerArgumentParser, require_args
from ._context import Context
from ._progress import show_progress
from ._refs import parse_normalized
from .load import read_input


def parser_import() -> DockerArgumentParser:
    p = DockerArgumentParser("import", "docker import [OPTIONS] file|URL|- [REPOSITORY[:TAG]]",
                             "Import the contents from a tarball to create a filesystem image")
    p.add_argument("-c", "--change", action="append", default=[], help="Apply Dockerfile instruction to the "
                                                                        "created image")
    p.add_argument("-m", "--message", default="", help="Set commit message for imported image")
    p.add_argument("--platform", default="", help="Set platform if server is multi-platform capable")
    return p


def run_import(ctx: Context, ns: argparse.Namespace) -> int:
    require_args(parser_import(), ns.args, 1, 2)
    source = ns.args[0]
    if "://" in source:
        raise UsageError("import", "importing from a URL is not supported: download the tarball, then import "
                                   "the file", exit_code=1)
    repo: str | None = None
    tag: str | None = None
    if len(ns.args) == 2:
        ref = parse_normalized(ns.args[1])
        if ref is None or ref.digest:
            raise UsageError("import", f"invalid reference format: {ns.args[1]!r}", exit_code=1)
        repo, tag = ref.familiar_name, ref.tag
    data = read_input(ctx, "" if source == "-" else source, "import")
    params: dict[str, imageapi.Param] = {"repo": repo, "tag": tag, "message": ns.message or None,
                                         "changes": list(ns.change) or None, "platform": ns.platform or None}
    with imageapi.import_(ctx, data, params) as stream:
        show_progress(ctx, stream)
    return 0
