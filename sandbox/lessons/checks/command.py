"""``command``: run something and judge its exit code and output.

Three forms: ``run`` (a host shell line), ``script`` (a file in the lesson folder, run by
/bin/sh on the host — Killercoda's verify.sh: exit 0 passes), and ``exec`` (in a running
container). Host commands see DOCKER_HOST pointing at the same engine as the lesson.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass

from ..shellwords import container_argv
from ..state import ExecResult
from ..yamlmarks import PathKey
from .base import CheckContext, state_word
from .messages import quote, say
from .result import Fail, Outcome, Pass


@dataclass(frozen=True)
class CommandCheck:
    run: str | None = None
    script: str | None = None
    exec: str | list[str] | None = None
    container: str | None = None
    exit_code: int = 0
    output_matches: str | None = None
    """A regular expression searched for in stdout and stderr together."""
    output_contains: str | None = None

    def schema_problems(self) -> Iterator[tuple[PathKey, str]]:
        given = [k for k in ("run", "script", "exec") if getattr(self, k) is not None]
        if len(given) != 1:
            yield ("run",), "give exactly one of run, script or exec"
        if self.exec is not None and self.container is None:
            yield ("container",), "exec needs the container to run in"
        if self.container is not None and self.exec is None:
            yield ("container",), "container only goes with exec"
        if self.script is not None and (self.script.startswith("/") or ".." in self.script.split("/")):
            yield ("script",), "must be a path inside the lesson folder"
        if self.output_matches is not None:
            try:
                re.compile(self.output_matches)
            except re.error as err:
                yield ("output_matches",), f"not a regular expression: {err}"

    def shown(self) -> str:
        if self.exec is not None:
            argv = self.exec if isinstance(self.exec, list) else None
            return f"docker exec {self.container} " + (shlex.join(argv) if argv else str(self.exec))
        return self.run if self.run is not None else f"sh {self.script}"

    def evaluate(self, ctx: CheckContext) -> Outcome:
        result = self._execute(ctx)
        if isinstance(result, Fail):
            return result
        cmd = self.shown()
        out = quote(result.output[-300:]) if result.output.strip() else "''"
        if result.code != self.exit_code:
            return Fail(say("command_exit", cmd=cmd, seen=result.code, want=self.exit_code, out=out))
        if self.output_matches is not None and not re.search(
            self.output_matches, result.output, re.MULTILINE
        ):
            return Fail(say("command_output", cmd=cmd, want=repr(self.output_matches), out=out))
        if self.output_contains is not None and self.output_contains not in result.output:
            return Fail(say("command_output", cmd=cmd, want=repr(self.output_contains), out=out))
        return Pass()

    def _execute(self, ctx: CheckContext) -> ExecResult | Fail:
        if self.exec is not None and self.container is not None:
            doc = ctx.state.container(self.container)
            if doc is None:
                return Fail(say("container_missing", name=self.container))
            if not (doc.get("State") or {}).get("Running") or (doc.get("State") or {}).get("Paused"):
                return Fail(
                    say("exec_not_running", cmd=self.shown(), name=self.container, seen=state_word(doc))
                )
            return ctx.state.exec(self.container, container_argv(self.exec))
        if self.script is not None:
            path = ctx.lesson_dir / self.script
            return ctx.state.run_host(f"sh {shlex.quote(str(path))}", cwd=ctx.lesson_dir)
        return ctx.state.run_host(str(self.run), cwd=ctx.lesson_dir)
