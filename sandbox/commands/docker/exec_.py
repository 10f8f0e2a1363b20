"""``docker exec``: a second process in a running container; exits with its exit code."""

from __future__ import annotations

import argparse

from sandbox.errors import SandboxError, UsageError

from ._args import DockerArgumentParser, require_args
from ._context import Context
from ._relay import Relay, parse_detach_keys
from ._runopts import env_list
from ._terminal import ResizeWatch, is_terminal


def parser_exec() -> DockerArgumentParser:
    p = DockerArgumentParser("exec", "docker exec [OPTIONS] CONTAINER COMMAND [ARG...]",
                             "Execute a command in a running container", interspersed=False)
    p.add_argument("-d", "--detach", action="store_true", help="Detached mode: run command in the background")
    p.add_argument("--detach-keys", default="", help="Override the key sequence for detaching a container")
    p.add_argument("-e", "--env", action="append", default=[], help="Set environment variables")
    p.add_argument("--env-file", action="append", default=[], help="Read in a file of environment variables")
    p.add_argument("-i", "--interactive", action="store_true", help="Keep STDIN open even if not attached")
    p.add_argument("--privileged", action="store_true", help="Give extended privileges to the command")
    p.add_argument("-t", "--tty", action="store_true", help="Allocate a pseudo-TTY")
    p.add_argument("-u", "--user", default="", help="Username or UID (format: \"<name|uid>[:<group|gid>]\")")
    p.add_argument("-w", "--workdir", default="", help="Working directory inside the container")
    return p


def run_exec(ctx: Context, ns: argparse.Namespace) -> int:
    require_args(parser_exec(), ns.args, 2)
    container, cmd = ns.args[0], ns.args[1:]
    if ns.tty and ns.interactive and not ns.detach and not is_terminal(ctx.stdin):
        raise UsageError("exec", "the input device is not a TTY", exit_code=1)
    client = ctx.client
    # docker inspects first: a missing container fails here with its usual message.
    client.containers.inspect(container)
    env = env_list(ns.env, ns.env_file, ctx.env, ctx.cwd, "exec")
    attach_out = not ns.detach
    created = client.exec.create(container, cmd, stdin=ns.interactive and not ns.detach, stdout=attach_out,
                                 stderr=attach_out, tty=ns.tty, env=env, workdir=ns.workdir, user=ns.user,
                                 privileged=ns.privileged, detach_keys=ns.detach_keys)
    exec_id = str(created["Id"])
    if ns.detach:
        client.exec.start_detached(exec_id, tty=ns.tty)
        return 0
    with client.exec.start(exec_id, tty=ns.tty) as hijacked:
        relay = Relay(ctx, hijacked, stdin=ns.interactive, tty=ns.tty,
                      detach_keys=parse_detach_keys(ns.detach_keys))
        if ns.tty and is_terminal(ctx.stdout):
            def resize(height: int, width: int) -> None:
                try:
                    client.exec.resize(exec_id, height=height, width=width)
                except SandboxError:
                    # The process may have ended before its first resize.
                    pass

            with ResizeWatch(ctx.stdout, resize):
                detached = relay.run()
        else:
            detached = relay.run()
    if detached:
        return 0
    return int(client.exec.inspect(exec_id).get("ExitCode") or 0)
