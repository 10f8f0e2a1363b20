"""``docker …``: our docker grammar, in-process, on the shell's client.

Most commands run in a worker thread (Ctrl-C cancels them); ``run -it``, ``exec -it``,
``attach`` and ``start -ai`` get the terminal itself: they run in this thread after the
prompt has returned, so raw mode, window size and signals are theirs until they end.
"""

from __future__ import annotations

from ..context import ShellContext
from ..grammar import is_interactive
from ..registry import Builtin, Result


def run(ctx: ShellContext, args: list[str]) -> Result:
    return ctx.docker(args, interactive=is_interactive(args))


BUILTIN = Builtin("docker", "run a docker command on the sandbox engine",
                  "docker COMMAND [ARGS]   (docker --help lists the commands)", run)
