"""``lessons …``: the lessons CLI (``sandbox lessons``), with our docker grammar in-process."""

from __future__ import annotations

from typing import TextIO

from ..context import ShellContext
from ..registry import Builtin, Result


def run(ctx: ShellContext, args: list[str]) -> Result:
    argv = args or ["list"]

    def work(out: TextIO, err: TextIO) -> int:
        return ctx.run_lessons(argv, docker_main=ctx.run_docker, stdout=out, stderr=err, env=dict(ctx.env))

    ctx.snapshot.ensure()
    return ctx.settle(ctx.run_in_worker(work, "lessons"), "lessons " + " ".join(argv))


BUILTIN = Builtin("lessons", "list, follow and check the lessons",
                  "lessons [list | show LESSON | start LESSON | check LESSON | hint LESSON | reset LESSON]", run)
