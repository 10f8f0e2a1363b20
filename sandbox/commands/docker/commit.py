"""``docker commit``: a container's changes become a new image; prints its id."""

from __future__ import annotations

import argparse

from sandbox.errors import UsageError

from . import _imageapi as imageapi
from ._args import DockerArgumentParser, require_args
from ._context import Context
from ._refs import parse_normalized


def parser_commit() -> DockerArgumentParser:
    p = DockerArgumentParser("commit", "docker commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]",
                             "Create a new image from a container's changes")
    p.add_argument("-a", "--author", default="", help="Author (e.g., \"John Hannibal Smith <hannibal@a-team.com>\")")
    p.add_argument("-c", "--change", action="append", default=[], help="Apply Dockerfile instruction to the "
                                                                        "created image")
    p.add_argument("-m", "--message", default="", help="Commit message")
    p.add_argument("-p", "--pause", action="store_true", default=True, help="Pause container during commit")
    return p


def run_commit(ctx: Context, ns: argparse.Namespace) -> int:
    require_args(parser_commit(), ns.args, 1, 2)
    repo: str | None = None
    tag: str | None = None
    if len(ns.args) == 2:
        ref = parse_normalized(ns.args[1])
        if ref is None or ref.digest:
            raise UsageError("commit", f"invalid reference format: {ns.args[1]!r}", exit_code=1)
        # As the docker client sends it: the familiar name, the tag apart.
        repo, tag = ref.familiar_name, ref.tag
    answer = imageapi.commit(ctx, {"container": ns.args[0], "repo": repo, "tag": tag, "comment": ns.message or None,
                                   "author": ns.author or None, "pause": ns.pause, "changes": list(ns.change) or None})
    ctx.out(str(answer.get("Id", "")))
    return 0
