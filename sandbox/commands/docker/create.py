"""``docker create``: a container from an image, not started; prints its id."""

from __future__ import annotations

import argparse

from sandbox.errors import EngineError, UsageError

from ._args import DockerArgumentParser, require_args
from ._context import Context
from ._create import create_container, validate_pull_policy
from ._runopts import add_container_flags, create_body
from ._terminal import size


def parser_create() -> DockerArgumentParser:
    p = DockerArgumentParser("create", "docker create [OPTIONS] IMAGE [COMMAND] [ARG...]", "Create a new container",
                             help_short=False, interspersed=False)
    add_container_flags(p)
    return p


def run_create(ctx: Context, ns: argparse.Namespace) -> int:
    require_args(parser_create(), ns.args, 1)
    image, cmd = ns.args[0], ns.args[1:]
    try:
        validate_pull_policy("create", ns.pull)
        console = size(ctx.stdout) if ns.tty else None
        body = create_body("create", ns, image, cmd, detach=False, environ=ctx.env, console=console,
                           cwd=ctx.cwd)
        container = create_container(ctx, body, ns.name, ns.pull, ns.quiet, ns.platform)
    except (UsageError, EngineError) as err:
        message = err.problem if isinstance(err, UsageError) else f"Error response from daemon: {err.message}"
        ctx.err(f"docker: {message}\n\nRun 'docker create --help' for more information")
        return 125
    ctx.out(container)
    return 0
