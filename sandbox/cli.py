"""The composition root: parses ``sandbox …`` and hands each command group its settings.

Command groups are imported only when used, so ``sandbox runtime run`` pays for the
runtime alone (start-up time is part of every container start).
"""

from __future__ import annotations

import os
import sys

USAGE = """\
usage: sandbox [COMMAND [ARGS]]

A terminal classroom for Docker and Kubernetes, on a real mini container engine.
With no command it opens the lessons.

commands:
  learn [LESSON]    open the lessons (the default), or one lesson; --lang en|zh
  shell             a REPL for docker commands, with completion, `explain` and `show`
  lessons ...       list|show|check|solve|reset|lint|import-killercoda
  docker ...        our own docker client (the seed's command table) against the engine
  engine            run the engine daemon (Docker Engine API on a unix socket) in the foreground
  up / down         start the engine in the background / stop it
  env               print `export DOCKER_HOST=…` for the real docker CLI
  playground        a shell in a fresh busybox container (overlay, namespaces, cgroups)
  runtime ...       run OCI bundles like runc: run, create, start, kill, delete, state, list
  image ...         the image store: bootstrap (offline base images), ls
  version           print the version

Run `sandbox COMMAND --help` for a command's options.
"""


def _start_engine() -> None:
    """`sandbox up`, for front ends that find the engine down while running as root."""
    from sandbox.engine.daemon import main as daemon_main

    daemon_main(["up"])


def _dispatch(argv: list[str]) -> int:
    if argv and argv[0] in ("-h", "--help", "help"):
        print(USAGE, end="")
        return 0
    if not argv or argv[0] == "learn":
        from sandbox.tui.app import main as tui_main

        return tui_main(argv[1:] if argv else [], start_engine=_start_engine)
    cmd, rest = argv[0], argv[1:]
    if cmd == "runtime":
        # A container start is a short, allocation-heavy burst (imports, dataclasses): the
        # cyclic collector has nothing to find in it, only time to spend.
        import gc

        gc.disable()
        from sandbox.runtime.cli import main as runtime_main

        code = runtime_main(rest)
        # A deleted container's state directory goes in a background thread: let it finish.
        state = sys.modules.get("sandbox.runtime.state")
        if state is not None:
            state.settle_trash()
        # Nothing else is left to clean up: skip the interpreter's teardown of every module.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    if cmd in ("image", "images"):
        from sandbox.images.cli import main as image_main

        return image_main(rest)
    if cmd == "lessons":
        from sandbox.commands.docker import main as docker_main
        from sandbox.lessons.cli import main as lessons_main

        # The docker grammar is handed in: lessons and commands are independent layers.
        return lessons_main(rest, docker_main=docker_main)
    if cmd == "shell":
        from sandbox.repl import main as repl_main

        return repl_main(rest)
    if cmd == "docker":
        from sandbox.commands.docker import main as docker_main

        return docker_main(rest)
    if cmd in ("engine", "up", "down", "env"):
        from sandbox.engine.daemon import main as daemon_main

        return daemon_main(argv)
    if cmd == "playground":
        from sandbox.engine.playground import main as playground_main

        return playground_main(rest)
    if cmd in ("version", "--version"):
        from sandbox import __version__

        print(f"sandbox {__version__}")
        return 0
    print(f"sandbox: unknown command {cmd!r}\n", file=sys.stderr)
    print(USAGE, end="", file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    from sandbox.errors import SandboxError

    try:
        return _dispatch(sys.argv[1:] if argv is None else argv)
    except SandboxError as e:
        print(f"sandbox: {e.render()}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
