"""``reset``: remove the containers, images, volumes and networks this session made."""

from __future__ import annotations

from typing import TextIO

from sandbox.errors import ReplUsageError

from ..context import ShellContext
from ..registry import Builtin, Result
from ..snapshot import apply_reset, plan_reset, read_state


def run(ctx: ShellContext, args: list[str]) -> Result:
    dry_run = False
    for arg in args:
        if arg in ("-n", "--dry-run"):
            dry_run = True
        else:
            raise ReplUsageError("reset", f"unknown argument: {arg}", "usage: reset [--dry-run]")
    before = ctx.snapshot.state()

    def work(out: TextIO, err: TextIO) -> int:
        plan = plan_reset(before, read_state(ctx.client))
        if plan.empty:
            out.write("nothing to reset: this session has not created anything that is still there\n")
            return 0
        if dry_run:
            out.writelines(f"would remove container {name}\n" for cid, name in plan.containers)
            out.writelines(f"would remove tag {tag}\n" for tag in plan.tags)
            out.writelines(f"would remove image {', '.join(tags) or iid[:19]}\n" for iid, tags in plan.images)
            out.writelines(f"would remove volume {volume}\n" for volume in plan.volumes)
            out.writelines(f"would remove network {name}\n" for _, name in plan.networks)
            return 0
        failures = apply_reset(ctx.client, plan, lambda line: out.write(line + "\n"))
        return 1 if failures else 0

    return ctx.settle(ctx.run_in_worker(work, "reset"), "reset")


BUILTIN = Builtin("reset", "remove what this session created (containers, images, volumes, networks)",
                  "reset [--dry-run]", run)
