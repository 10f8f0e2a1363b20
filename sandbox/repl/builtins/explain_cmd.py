"""``explain <docker command>``: run it, and print what the runtime did underneath.

The trace stream is opened before the command starts and read in the background while
it runs; afterwards its records are grouped (namespaces, cgroups, mounts, security,
exec) and printed below the command's own output.
"""

from __future__ import annotations

from typing import Any

from sandbox.errors import ReplUsageError

from ..context import ShellContext
from ..grammar import is_interactive
from ..registry import Builtin, Result
from ..trace import TraceCapture, render


def run(ctx: ShellContext, args: list[str]) -> Result:
    argv = args[1:] if args and args[0] == "docker" else list(args)
    if not argv:
        raise ReplUsageError("explain", "which command?", "for example: explain docker run --rm busybox true")
    client: Any = ctx.client
    capture = TraceCapture.open(lambda: client.stream_json("GET", "/sandbox/trace"),
                                str(getattr(client, "address", "the engine")))
    code = ctx.docker(argv, interactive=is_interactive(argv))
    records = capture.finish()
    ctx.console.picture(render(records, command="docker " + " ".join(argv), width=ctx.console.width))
    if capture.error is not None:
        ctx.console.error(capture.error)
    return code


BUILTIN = Builtin("explain", "run a docker command and show what the runtime did (mounts, clone flags, cgroups)",
                  "explain docker COMMAND [ARGS]", run)
