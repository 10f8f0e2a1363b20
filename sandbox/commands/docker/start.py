"""``docker start``: start stopped containers; with ``-a``/``-i`` stay attached like run."""

from __future__ import annotations

import argparse
import contextlib

from sandbox.errors import EngineError, SandboxError, UsageError

from ._args import DockerArgumentParser, require_args
from ._attached import exit_status, stream_container
from ._context import Context
from ._relay import parse_detach_keys
from ._signals import SignalProxy


def parser_start() -> DockerArgumentParser:
    p = DockerArgumentParser("start", "docker start [OPTIONS] CONTAINER [CONTAINER...]",
                             "Start one or more stopped containers")
    p.add_argument("-a", "--attach", action="store_true", help="Attach STDOUT/STDERR and forward signals")
    p.add_argument("--detach-keys", default="", help="Override the key sequence for detaching a container")
    p.add_argument("-i", "--interactive", action="store_true", help="Attach container's STDIN")
    return p


def run_start(ctx: Context, ns: argparse.Namespace) -> int:
    require_args(parser_start(), ns.args, 1)
    if ns.attach or ns.interactive:
        if len(ns.args) > 1:
            raise UsageError("start", "you cannot start and attach multiple containers at once", exit_code=1)
        return _start_attached(ctx, ns, ns.args[0])
    failed = False
    for name in ns.args:
        try:
            ctx.client.containers.start(name)
        except EngineError as err:
            ctx.err(f"Error response from daemon: {err.message}")
            failed = True
            continue
        ctx.out(name)
    if failed:
        ctx.err("Error: failed to start containers: " + ", ".join(ns.args))
    return 1 if failed else 0


def _start_attached(ctx: Context, ns: argparse.Namespace, name: str) -> int:
    client = ctx.client
    info = client.containers.inspect(name)
    config = info.get("Config") or {}
    container = str(info["Id"])
    tty = bool(config.get("Tty"))
    stdin = ns.interactive and bool(config.get("OpenStdin"))
    with contextlib.ExitStack() as stack:
        hijacked = stack.enter_context(client.containers.attach(
            container, stdin=stdin, stdout=True, stderr=True, stream=True, tty=tty,
            detach_keys=ns.detach_keys or None))
        auto_remove = bool((info.get("HostConfig") or {}).get("AutoRemove"))
        waiter = client.containers.begin_wait(container, condition="removed" if auto_remove else "next-exit")
        stack.callback(waiter.close)
        client.containers.start(container)
        with SignalProxy(client, container, enabled=not tty):
            detached = stream_container(ctx, container, hijacked, stdin=stdin, tty=tty,
                                        detach_keys=parse_detach_keys(ns.detach_keys))
        if detached:
            return 0
        try:
            return exit_status(ctx, waiter)
        except SandboxError:
            return 0
