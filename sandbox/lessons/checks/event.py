"""``event``: something happened since the step began — a container died, was removed,
was OOM-killed. This is how a step like "remove the container" is checked honestly: the
container being absent would also be true before the learner did anything."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from .base import CheckContext
from .messages import say, word
from .result import Fail, Outcome, Pass


@dataclass(frozen=True)
class EventCheck:
    action: str
    """``create``, ``start``, ``die``, ``oom``, ``destroy``, ``pause``, ``tag``, ``exec_start`` …"""
    name: str
    """The object's name (containers, volumes, networks), reference (images) or id prefix."""
    type: Literal["container", "image", "volume", "network"] = "container"
    since: Literal["step", "lesson"] = "step"
    """Look from the step's start, or from the lesson's (a learner who removed a container
    one step early should not be stuck: it was still made and removed in this lesson)."""

    def evaluate(self, ctx: CheckContext) -> Outcome:
        start = ctx.since if self.since == "step" else ctx.lesson_since
        events = ctx.state.events(start, ctx.clock(), {"type": [self.type]})
        for event in events:
            if _action(event) == self.action and _names(event, self.name):
                return Pass()
        seen = ", ".join(f"{_action(e)} {_label(e)}" for e in events[-6:]) or word("none")
        key = "event_missing" if self.since == "step" else "event_missing_lesson"
        return Fail(say(key, action=self.action, type=self.type, name=self.name, seen=seen))


def _action(event: dict[str, Any]) -> str:
    """``exec_start: sh -c …`` counts as ``exec_start``."""
    return str(event.get("Action") or event.get("status") or "").split(":", 1)[0]


def _label(event: dict[str, Any]) -> str:
    actor = event.get("Actor") or {}
    return str((actor.get("Attributes") or {}).get("name") or actor.get("ID", ""))[:24]


def _names(event: dict[str, Any], name: str) -> bool:
    actor = event.get("Actor") or {}
    attrs = actor.get("Attributes") or {}
    actor_id = str(actor.get("ID", ""))
    return (
        attrs.get("name") == name
        or actor_id == name
        or (len(name) >= 6 and actor_id.removeprefix("sha256:").startswith(name))
    )
