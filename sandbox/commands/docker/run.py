"""``docker run``: create (pulling on 404), attach, wait, start — in the docker CLI's order.

Attach comes before start so no output is lost, and ``/wait`` is sent before start so an
immediate exit is still seen; with ``--rm`` the wait condition is ``removed``, so the
command ends only once the engine has deleted the container. The exit code is the
container's; 125 is the engine refusing, 126/127 a command that cannot run.
"""

from __future__ import annotations

import argparse
import contextlib

from sandbox.client import HijackedStream
from sandbox.errors import EngineError, LocalFileError, SandboxError, UsageError

from ._args import DockerArgumentParser, require_args
from ._attached import exit_status, stream_container
from ._context import Context
from ._create import create_container, validate_pull_policy
from ._relay import parse_detach_keys
from ._runopts import add_container_flags, create_body
from ._signals import SignalProxy
from ._terminal import is_terminal, size


def parser_run() -> DockerArgumentParser:
    p = DockerArgumentParser("run", "docker run [OPTIONS] IMAGE [COMMAND] [ARG...]",
                             "Create and run a new container from an image", help_short=False, interspersed=False)
    p.add_argument("-d", "--detach", action="store_true", help="Run container in background and print container ID")
    p.add_argument("--detach-keys", default="", help="Override the key sequence for detaching a container")
    p.add_argument("--sig-proxy", action="store_true", default=True, help="Proxy received signals to the process")
    add_container_flags(p)
    return p


def start_error_code(message: str) -> int:
    """docker's mapping of a failed start to an exit code."""
    if any(s in message for s in ("executable file not found", "no such file or directory",
                                  "system cannot find the file specified")):
        return 127
    if "permission denied" in message or "is a directory" in message:
        return 126
    return 125


def _report(ctx: Context, message: str) -> None:
    ctx.err(f"docker: {message}\n\nRun 'docker run --help' for more information")


def run_run(ctx: Context, ns: argparse.Namespace) -> int:
    require_args(parser_run(), ns.args, 1)
    image, cmd = ns.args[0], ns.args[1:]
    try:
        validate_pull_policy("run", ns.pull)
        if not ns.detach and ns.tty and ns.interactive and not is_terminal(ctx.stdin):
            raise UsageError("run", "the input device is not a TTY")
        console = size(ctx.stdout) if ns.tty else None
        body = create_body("run", ns, image, cmd, detach=ns.detach, environ=ctx.env, console=console,
                           cwd=ctx.cwd)
    except UsageError as err:
        _report(ctx, err.problem)
        return 125
    try:
        container = create_container(ctx, body, ns.name, ns.pull, ns.quiet, ns.platform)
    except EngineError as err:
        _report(ctx, f"Error response from daemon: {err.message}")
        return start_error_code(err.message)
    except LocalFileError as err:
        _report(ctx, err.message)
        return start_error_code(err.message)
    return _attach_start_wait(ctx, ns, container, body)


def _attach_start_wait(ctx: Context, ns: argparse.Namespace, container: str, body: dict) -> int:
    client = ctx.client
    tty = bool(body.get("Tty"))
    stdin = bool(body.get("AttachStdin"))
    attach = stdin or bool(body.get("AttachStdout")) or bool(body.get("AttachStderr"))
    with contextlib.ExitStack() as stack:
        hijacked: HijackedStream | None = None
        if attach:
            hijacked = stack.enter_context(client.containers.attach(
                container, stdin=stdin, stdout=bool(body.get("AttachStdout")),
                stderr=bool(body.get("AttachStderr")), stream=True, tty=tty,
                detach_keys=ns.detach_keys or None))
        waiter = client.containers.begin_wait(container, condition="removed" if ns.rm else "next-exit")
        stack.callback(waiter.close)
        try:
            client.containers.start(container)
        except EngineError as err:
            _report(ctx, f"Error response from daemon: {err.message}")
            if ns.rm:
                with contextlib.suppress(SandboxError):
                    waiter.result()
            return start_error_code(err.message)
        if ns.detach:
            ctx.out(container)
            return 0
        if hijacked is not None:
            # With a TTY the container's own terminal handles ^C; without, we forward signals.
            with SignalProxy(client, container, enabled=ns.sig_proxy and not tty):
                detached = stream_container(ctx, container, hijacked, stdin=stdin, tty=tty,
                                            detach_keys=parse_detach_keys(ns.detach_keys))
            if detached:
                return 0
        return exit_status(ctx, waiter)
