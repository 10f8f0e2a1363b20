"""Commands that act on each named container in turn and echo its name: stop, kill,
restart, pause, unpause, rm; plus wait (prints exit codes) and rename.

Like docker, a failure on one container does not stop the others: every error is printed
and the command exits 1 at the end.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from sandbox.errors import EngineError

from ._args import DockerArgumentParser, require_args
from ._context import Context


def _each(ctx: Context, names: list[str], action: Callable[[str], object], echo: bool = True,
          ignore_missing: bool = False) -> int:
    failed = False
    for name in names:
        try:
            result = action(name)
        except EngineError as err:
            ctx.err(f"Error response from daemon: {err.message}")
            if not (ignore_missing and err.status == 404):
                failed = True
            continue
        if echo:
            ctx.out(name)
        elif result is not None:
            ctx.out(str(result))
    return 1 if failed else 0


def _simple(command: str, usage: str, summary: str) -> DockerArgumentParser:
    return DockerArgumentParser(command, usage, summary)


def parser_stop() -> DockerArgumentParser:
    p = _simple("stop", "docker stop [OPTIONS] CONTAINER [CONTAINER...]", "Stop one or more running containers")
    p.add_argument("-s", "--signal", default="", help="Signal to send to the container")
    p.add_argument("-t", "--timeout", "--time", type=int, default=None, dest="timeout",
                   help="Seconds to wait before killing the container")
    return p


def run_stop(ctx: Context, ns: argparse.Namespace) -> int:
    require_args(parser_stop(), ns.args, 1)
    return _each(ctx, ns.args, lambda n: ctx.client.containers.stop(n, timeout=ns.timeout, signal=ns.signal or None))


def parser_restart() -> DockerArgumentParser:
    p = _simple("restart", "docker restart [OPTIONS] CONTAINER [CONTAINER...]", "Restart one or more containers")
    p.add_argument("-s", "--signal", default="", help="Signal to send to the container")
    p.add_argument("-t", "--timeout", "--time", type=int, default=None, dest="timeout",
                   help="Seconds to wait before killing the container")
    return p


def run_restart(ctx: Context, ns: argparse.Namespace) -> int:
    require_args(parser_restart(), ns.args, 1)
    return _each(ctx, ns.args,
                 lambda n: ctx.client.containers.restart(n, timeout=ns.timeout, signal=ns.signal or None))


def parser_kill() -> DockerArgumentParser:
    p = _simple("kill", "docker kill [OPTIONS] CONTAINER [CONTAINER...]", "Kill one or more running containers")
    p.add_argument("-s", "--signal", default="", help="Signal to send to the container")
    return p


def run_kill(ctx: Context, ns: argparse.Namespace) -> int:
    require_args(parser_kill(), ns.args, 1)
    return _each(ctx, ns.args, lambda n: ctx.client.containers.kill(n, signal=ns.signal or None))


def parser_pause() -> DockerArgumentParser:
    return _simple("pause", "docker pause CONTAINER [CONTAINER...]", "Pause all processes within one or more containers")


def run_pause(ctx: Context, ns: argparse.Namespace) -> int:
    require_args(parser_pause(), ns.args, 1)
    return _each(ctx, ns.args, ctx.client.containers.pause)


def parser_unpause() -> DockerArgumentParser:
    return _simple("unpause", "docker unpause CONTAINER [CONTAINER...]",
                   "Unpause all processes within one or more containers")


def run_unpause(ctx: Context, ns: argparse.Namespace) -> int:
    require_args(parser_unpause(), ns.args, 1)
    return _each(ctx, ns.args, ctx.client.containers.unpause)


def parser_rm() -> DockerArgumentParser:
    p = _simple("rm", "docker rm [OPTIONS] CONTAINER [CONTAINER...]", "Remove one or more containers")
    p.add_argument("-f", "--force", action="store_true", help="Force the removal of a running container (uses SIGKILL)")
    p.add_argument("-l", "--link", action="store_true", help="Remove the specified link")
    p.add_argument("-v", "--volumes", action="store_true", help="Remove anonymous volumes associated with the container")
    return p


def run_rm(ctx: Context, ns: argparse.Namespace) -> int:
    require_args(parser_rm(), ns.args, 1)
    # With --force a container that is already gone is not a failure (docker prints it anyway).
    return _each(ctx, ns.args,
                 lambda n: ctx.client.containers.remove(n, force=ns.force, v=ns.volumes, link=ns.link),
                 ignore_missing=ns.force)


def parser_wait() -> DockerArgumentParser:
    return _simple("wait", "docker wait CONTAINER [CONTAINER...]",
                   "Block until one or more containers stop, then print their exit codes")


def run_wait(ctx: Context, ns: argparse.Namespace) -> int:
    require_args(parser_wait(), ns.args, 1)
    return _each(ctx, ns.args, lambda n: ctx.client.containers.wait(n).get("StatusCode", 0), echo=False)


def parser_rename() -> DockerArgumentParser:
    return _simple("rename", "docker rename CONTAINER NEW_NAME", "Rename a container")


def run_rename(ctx: Context, ns: argparse.Namespace) -> int:
    require_args(parser_rename(), ns.args, 2, 2)
    old, new = ns.args
    if not new.strip():
        ctx.err("Error: neither old nor new names may be empty")
        return 1
    ctx.client.containers.rename(old, new.strip())
    return 0
