"""``file``: a path inside a container — exists, kind, content, mode — read through the
archive API (what ``docker cp`` uses), so it works on stopped containers too."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Literal

from ..yamlmarks import PathKey
from .base import CheckContext
from .messages import quote, say, word
from .result import Fail, Outcome, Pass
from .units import MODE


@dataclass(frozen=True)
class FileCheck:
    container: str
    path: str
    exists: bool = True
    type: Literal["file", "dir", "symlink"] | None = None
    content: str | None = None
    """The whole file, compared after stripping one trailing newline from both."""
    contains: str | None = None
    mode: Annotated[int, MODE] | None = None

    def schema_problems(self) -> Iterator[tuple[PathKey, str]]:
        if not self.path.startswith("/"):
            yield ("path",), "must be an absolute path inside the container"
        if self.content is not None and self.contains is not None:
            yield ("contains",), "give content or contains, not both"
        if not self.exists and (
            self.type or self.content is not None or self.contains is not None or self.mode is not None
        ):
            yield ("exists",), "exists: false cannot be combined with other file fields"

    def evaluate(self, ctx: CheckContext) -> Outcome:
        if ctx.state.container(self.container) is None:
            return Fail(say("container_missing", name=self.container))
        found = ctx.state.read_file(self.container, self.path)
        where = {"container": self.container, "path": self.path}
        if found is None:
            return Pass() if not self.exists else Fail(say("file_missing", **where))
        if not self.exists:
            return Fail(say("file_still_there", **where))
        if self.type is not None and found.kind != self.type:
            return Fail(say("file_kind", **where, seen=word(found.kind), want=word(self.type)))
        text = found.content.decode("utf-8", "replace")
        if self.content is not None and text.removesuffix("\n") != self.content.removesuffix("\n"):
            return Fail(say("file_content", **where, seen=quote(text), want=quote(self.content)))
        if self.contains is not None and self.contains not in text:
            return Fail(say("file_contains", **where, seen=quote(text), want=quote(self.contains)))
        if self.mode is not None and found.mode != self.mode:
            return Fail(say("file_mode", **where, seen=f"{found.mode:04o}", want=f"{self.mode:04o}"))
        return Pass()
