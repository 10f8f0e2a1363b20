"""``logs``: what a container printed (``GET /containers/{name}/logs``), not our CLI's output."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ..yamlmarks import PathKey
from .base import CheckContext
from .messages import quote, say
from .result import Fail, Outcome, Pass


@dataclass(frozen=True)
class LogsCheck:
    container: str
    contains: str | None = None
    matches: str | None = None
    """A regular expression searched for in the output."""

    def schema_problems(self) -> Iterator[tuple[PathKey, str]]:
        if (self.contains is None) == (self.matches is None):
            yield ("contains",), "give exactly one of contains or matches"
        if self.matches is not None:
            try:
                re.compile(self.matches)
            except re.error as err:
                yield ("matches",), f"not a regular expression: {err}"

    def evaluate(self, ctx: CheckContext) -> Outcome:
        if ctx.state.container(self.container) is None:
            return Fail(say("container_missing", name=self.container))
        output = ctx.state.logs(self.container)
        if self.contains is not None and self.contains in output:
            return Pass()
        if self.matches is not None and re.search(self.matches, output, re.MULTILINE):
            return Pass()
        want = repr(self.contains if self.contains is not None else self.matches)
        return Fail(
            say("logs_missing", name=self.container, want=want, seen=quote(output[-400:]) if output else "''")
        )
