"""``namespaces``: a container's namespaces compared with the host's (or another container's).

Two processes share a namespace exactly when /proc/PID/ns/TYPE has the same inode; the
engine's ``/sandbox/containers/{id}/namespaces`` reports both sides.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from ..text import Text
from ..yamlmarks import PathKey
from .base import CheckContext, is_running, state_word
from .messages import say, word
from .result import Fail, Outcome, Pass

Namespace = Literal["pid", "net", "mnt", "uts", "ipc", "user", "cgroup"]


@dataclass(frozen=True)
class NamespacesCheck:
    container: str
    differ: list[Namespace] = field(default_factory=list)
    """Namespaces the container must have of its own."""
    same: list[Namespace] = field(default_factory=list)
    """Namespaces it must share (``--network host``, ``--pid host``, ``container:X``)."""
    with_: str | None = field(default=None, metadata={"key": "with"})
    """Compare with this container instead of the host."""

    def schema_problems(self) -> Iterator[tuple[PathKey, str]]:
        if not self.differ and not self.same:
            yield ("differ",), "give differ, same, or both"
        both = set(self.differ) & set(self.same)
        if both:
            yield ("same",), f"{', '.join(sorted(both))} cannot both differ and be the same"

    def evaluate(self, ctx: CheckContext) -> Outcome:
        mine = self._inodes(ctx, self.container)
        if isinstance(mine, Fail):
            return mine
        if self.with_ is None:
            theirs = {str(k): v for k, v in (ctx.state.namespaces(self.container).get("host") or {}).items()}
            other: Text = word("the_host")
        else:
            found = self._inodes(ctx, self.with_)
            if isinstance(found, Fail):
                return found
            theirs = found
            other = Text({"en": f"container {self.with_}", "zh": f"容器 {self.with_} "})
        for ns in self.differ:
            if ns in mine and mine[ns] == theirs.get(ns):
                return Fail(say("ns_shared", name=self.container, ns=ns, other=other, seen=mine[ns]))
        for ns in self.same:
            if mine.get(ns) != theirs.get(ns):
                return Fail(
                    say(
                        "ns_separate",
                        name=self.container,
                        ns=ns,
                        other=other,
                        seen=mine.get(ns),
                        want=theirs.get(ns),
                    )
                )
        return Pass()

    @staticmethod
    def _inodes(ctx: CheckContext, name: str) -> dict[str, Any] | Fail:
        doc = ctx.state.container(name)
        if doc is None:
            return Fail(say("container_missing", name=name))
        if not is_running(doc):
            return Fail(say("not_running", name=name, seen=state_word(doc), what=word("namespaces_word")))
        return {str(k): v for k, v in (ctx.state.namespaces(name).get("container") or {}).items()}
