"""``http``: a GET on loopback — a published port answering, with a status and a body."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sandbox.errors import HostRefused

from ..state import loopback_url
from ..yamlmarks import PathKey
from .base import CheckContext
from .messages import quote, say
from .result import Fail, Outcome, Pass


@dataclass(frozen=True)
class HttpCheck:
    url: str
    status: int = 200
    contains: str | None = None

    def schema_problems(self) -> Iterator[tuple[PathKey, str]]:
        try:
            loopback_url(self.url)
        except HostRefused as err:
            yield ("url",), f"{err.message} ({err.hint})"

    def evaluate(self, ctx: CheckContext) -> Outcome:
        result = ctx.state.http_get(self.url)
        if result.error:
            return Fail(say("http_failed", url=self.url, seen=result.error))
        if result.status != self.status:
            return Fail(say("http_status", url=self.url, seen=result.status, want=self.status))
        body = result.body.decode("utf-8", "replace")
        if self.contains is not None and self.contains not in body:
            return Fail(say("http_contains", url=self.url, want=quote(self.contains), seen=quote(body)))
        return Pass()
