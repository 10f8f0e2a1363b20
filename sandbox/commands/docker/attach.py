"""``docker attach``: connect the local streams to a running container's main process."""

from __future__ import annotations

import argparse

from ._args import DockerArgumentParser, require_args
from ._attached import exit_status, stream_container
from ._context import Context
from ._relay import parse_detach_keys
from ._signals import SignalProxy


def parser_attach() -> DockerArgumentParser:
    p = DockerArgumentParser("attach", "docker attach [OPTIONS] CONTAINER",
                             "Attach local standard input, output, and error streams to a running container")
    p.add_argument("--detach-keys", default="", help="Override the key sequence for detaching a container")
    p.add_argument("--no-stdin", action="store_true", help="Do not attach STDIN")
    p.add_argument("--sig-proxy", action="store_true", default=True, help="Proxy all received signals to the process")
    return p


def run_attach(ctx: Context, ns: argparse.Namespace) -> int:
    require_args(parser_attach(), ns.args, 1, 1)
    client = ctx.client
    info = client.containers.inspect(ns.args[0])
    state = info.get("State") or {}
    if not state.get("Running"):
        ctx.err("You cannot attach to a stopped container, start it first")
        return 1
    if state.get("Paused"):
        ctx.err("You cannot attach to a paused container, unpause it first")
        return 1
    container = str(info["Id"])
    config = info.get("Config") or {}
    tty = bool(config.get("Tty"))
    stdin = bool(config.get("OpenStdin")) and not ns.no_stdin
    # Like docker: the exit status comes from /wait, asked before attaching, because the
    # engine may end the output stream (stdin closed) before the process ends.
    waiter = client.containers.begin_wait(container)
    try:
        with client.containers.attach(container, stdin=stdin, stdout=True, stderr=True, stream=True, tty=tty,
                                      detach_keys=ns.detach_keys or None) as hijacked:
            with SignalProxy(client, container, enabled=ns.sig_proxy and not tty):
                detached = stream_container(ctx, container, hijacked, stdin=stdin, tty=tty,
                                            detach_keys=parse_detach_keys(ns.detach_keys))
        if detached:
            return 0
        return exit_status(ctx, waiter)
    finally:
        waiter.close()
