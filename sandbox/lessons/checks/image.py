"""``image``: an image exists (or not), its layer count, history, labels, and identity."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..yamlmarks import PathKey
from .base import CheckContext, short_id
from .messages import say, word
from .result import Fail, Outcome, Pass


@dataclass(frozen=True)
class ImageCheck:
    ref: str
    exists: bool = True
    layers: int | None = None
    """How many entries ``RootFS.Layers`` has: one per filesystem-changing instruction."""
    history_contains: str | list[str] | None = None
    """Text that must appear in some ``CreatedBy`` of ``docker history`` (each, for a list)."""
    labels: dict[str, str] = field(default_factory=dict)
    same_as: str | None = None
    """Another reference that must name the same image id (content addressing, tags)."""

    def schema_problems(self) -> Iterator[tuple[PathKey, str]]:
        if not self.exists and (
            self.layers is not None or self.history_contains or self.labels or self.same_as
        ):
            yield ("exists",), "exists: false cannot be combined with other image fields"

    def evaluate(self, ctx: CheckContext) -> Outcome:
        doc = ctx.state.image(self.ref)
        if doc is None:
            return Pass() if not self.exists else Fail(say("image_missing", ref=self.ref))
        if not self.exists:
            return Fail(say("image_still_there", ref=self.ref, seen=short_id(str(doc.get("Id", "")))))
        for step in (self._layers, self._history, self._labels, self._same):
            failure = step(ctx, doc)
            if failure is not None:
                return failure
        return Pass()

    def _layers(self, ctx: CheckContext, doc: dict[str, Any]) -> Fail | None:
        if self.layers is None:
            return None
        seen = len((doc.get("RootFS") or {}).get("Layers") or [])
        return (
            None
            if seen == self.layers
            else Fail(say("image_layers", ref=self.ref, seen=seen, want=self.layers))
        )

    def _history(self, ctx: CheckContext, doc: dict[str, Any]) -> Fail | None:
        if not self.history_contains:
            return None
        wanted = [self.history_contains] if isinstance(self.history_contains, str) else self.history_contains
        steps = [str(h.get("CreatedBy", "")) for h in ctx.state.image_history(self.ref)]
        for want in wanted:
            if not any(want in s for s in steps):
                shown = "; ".join(s.strip()[:60] for s in steps[:6]) or word("none")
                return Fail(say("image_history", ref=self.ref, want=repr(want), seen=shown))
        return None

    def _labels(self, ctx: CheckContext, doc: dict[str, Any]) -> Fail | None:
        labels = (doc.get("Config") or {}).get("Labels") or {}
        for key, want in self.labels.items():
            if labels.get(key) != want:
                return Fail(
                    say(
                        "label",
                        what=word("image_word"),
                        name=self.ref,
                        key=key,
                        seen=labels.get(key, word("none")),
                        want=want,
                    )
                )
        return None

    def _same(self, ctx: CheckContext, doc: dict[str, Any]) -> Fail | None:
        if self.same_as is None:
            return None
        other = ctx.state.image(self.same_as)
        if other is None:
            return Fail(say("image_missing", ref=self.same_as))
        if other.get("Id") != doc.get("Id"):
            return Fail(
                say(
                    "image_same",
                    ref=self.ref,
                    seen=short_id(str(doc.get("Id", ""))),
                    other=self.same_as,
                    want=short_id(str(other.get("Id", ""))),
                )
            )
        return None
