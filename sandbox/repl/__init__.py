"""``sandbox shell``: a prompt for free play — docker commands with completion, history
and highlighting, plus ``explain``, ``show``, ``lessons``, ``reset`` and ``help``.

Only ``main`` is public. Everything is imported when ``main`` runs, never at import
time, so ``sandbox`` stays quick for its other commands.
"""

from __future__ import annotations

__all__ = ["main"]

USAGE = """\
usage: sandbox shell

An interactive shell on the sandbox engine: docker commands with completion of
subcommands, flags and live names; `explain <docker command>` shows what the runtime
did; `show layers|ns|cgroups|net [NAME]` draws the engine's state; `help` lists more.
The engine is the one DOCKER_HOST names (default unix:///run/sandbox/engine.sock).
"""


def main(argv: list[str] | None = None) -> int:
    import os
    import sys

    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in ("-h", "--help", "help"):
        print(USAGE, end="")
        return 0
    if args:
        print(f"sandbox shell: unexpected argument {args[0]!r}\n\n{USAGE}", end="", file=sys.stderr)
        return 2
    from sandbox.errors import SandboxError

    from .app import Parts, build

    try:
        built = build(Parts(env=os.environ))
    except SandboxError as err:
        print(f"sandbox shell: {err.render()}", file=sys.stderr)
        return 1
    try:
        return built.shell.run()
    finally:
        built.close()
