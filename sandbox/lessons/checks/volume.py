"""``volume``: a named volume exists (or not), its driver and labels, who mounts it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from ..yamlmarks import PathKey
from .base import CheckContext
from .messages import say, word
from .result import Fail, Outcome, Pass


@dataclass(frozen=True)
class VolumeCheck:
    name: str
    exists: bool = True
    driver: str | None = None
    labels: dict[str, str] = field(default_factory=dict)
    used_by: str | None = None
    """A container that must have this volume mounted."""

    def schema_problems(self) -> Iterator[tuple[PathKey, str]]:
        if not self.exists and (self.driver or self.labels or self.used_by):
            yield ("exists",), "exists: false cannot be combined with other volume fields"

    def evaluate(self, ctx: CheckContext) -> Outcome:
        doc = ctx.state.volume(self.name)
        if doc is None:
            return Pass() if not self.exists else Fail(say("volume_missing", name=self.name))
        if not self.exists:
            return Fail(say("volume_still_there", name=self.name))
        if self.driver is not None and doc.get("Driver") != self.driver:
            return Fail(
                say(
                    "volume_field",
                    name=self.name,
                    what=word("driver"),
                    seen=doc.get("Driver"),
                    want=self.driver,
                )
            )
        labels = doc.get("Labels") or {}
        for key, want in self.labels.items():
            if labels.get(key) != want:
                return Fail(
                    say(
                        "label",
                        what=word("volume_word"),
                        name=self.name,
                        key=key,
                        seen=labels.get(key, word("none")),
                        want=want,
                    )
                )
        if self.used_by is not None:
            container = ctx.state.container(self.used_by)
            if container is None:
                return Fail(say("container_missing", name=self.used_by))
            names = [str(m.get("Name")) for m in container.get("Mounts") or [] if m.get("Type") == "volume"]
            if self.name not in names:
                return Fail(
                    say(
                        "volume_unused",
                        name=self.name,
                        container=self.used_by,
                        seen=", ".join(names) or word("none"),
                    )
                )
        return Pass()
