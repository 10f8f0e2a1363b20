"""``docker logs``: what the container wrote, to stdout and stderr as it wrote it."""

from __future__ import annotations

import argparse

from sandbox.client import Stream
from sandbox.commands.render.gotime import get_timestamp

from ._args import DockerArgumentParser, require_args
from ._context import Context


def parser_logs() -> DockerArgumentParser:
    p = DockerArgumentParser("logs", "docker logs [OPTIONS] CONTAINER", "Fetch the logs of a container")
    p.add_argument("--details", action="store_true", help="Show extra details provided to logs")
    p.add_argument("-f", "--follow", action="store_true", help="Follow log output")
    p.add_argument("--since", default="", help="Show logs since timestamp or relative (e.g. 42m)")
    p.add_argument("-n", "--tail", default="all", help="Number of lines to show from the end of the logs")
    p.add_argument("-t", "--timestamps", action="store_true", help="Show timestamps")
    p.add_argument("--until", default="", help="Show logs before a timestamp or relative (e.g. 42m)")
    return p


def run_logs(ctx: Context, ns: argparse.Namespace) -> int:
    require_args(parser_logs(), ns.args, 1, 1)
    client = ctx.client
    info = client.containers.inspect(ns.args[0])
    tty = bool((info.get("Config") or {}).get("Tty"))
    since = get_timestamp(ns.since) if ns.since else None
    until = get_timestamp(ns.until) if ns.until else None
    with client.containers.logs(str(info["Id"]), follow=ns.follow, timestamps=ns.timestamps, tail=ns.tail,
                                since=since, until=until, details=ns.details, tty=tty) as stream:
        for kind, data in stream:
            ctx.write_bytes(data, ctx.stderr if kind == Stream.STDERR else ctx.stdout)
    return 0
