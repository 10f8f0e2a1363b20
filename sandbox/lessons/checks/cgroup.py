"""``cgroup``: a running container's cgroup — its limits and live usage.

Reads the engine's ``/sandbox/containers/{id}/cgroup``: ``stats`` holds the numbers parsed
the same way for cgroup v1 and v2 (so lessons work on both), ``files`` the raw controller
files for lessons that want to show exactly what the kernel holds.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Annotated, Any

from ..yamlmarks import PathKey
from .base import CheckContext, is_running, state_word
from .messages import say, word
from .result import Fail, Outcome, Pass
from .units import SIZE, format_size


@dataclass(frozen=True)
class CgroupCheck:
    container: str
    memory_limit: Annotated[int, SIZE] | None = None
    pids_max: int | None = None
    memory_usage_below: Annotated[int, SIZE] | None = None
    memory_usage_above: Annotated[int, SIZE] | None = None
    pids_current_above: int | None = None
    oom_kills_at_least: int | None = None
    files: dict[str, str] = field(default_factory=dict)
    """Raw controller files (``memory.max``, ``pids.max``…) and the value they must hold."""

    def schema_problems(self) -> Iterator[tuple[PathKey, str]]:
        if not any(v not in (None, {}) for k, v in vars(self).items() if k != "container"):
            yield ("container",), "say what to check: a limit, a usage bound, or files"

    def evaluate(self, ctx: CheckContext) -> Outcome:
        doc = ctx.state.container(self.container)
        if doc is None:
            return Fail(say("container_missing", name=self.container))
        if not is_running(doc) and (doc.get("State") or {}).get("Status") != "paused":
            return Fail(
                say("not_running", name=self.container, seen=state_word(doc), what=word("cgroup_word"))
            )
        group = ctx.state.cgroup(self.container)
        stats: dict[str, Any] = group.get("stats") or {}
        exact = [("memory_limit", self.memory_limit, format_size), ("pids_max", self.pids_max, _plain)]
        for what, want, fmt in exact:
            if want is None:
                continue
            key = "pids_limit" if what == "pids_max" else what
            seen = stats.get(key)
            if seen != want:
                return Fail(
                    say("cgroup_value", name=self.container, what=word(what), seen=fmt(seen), want=fmt(want))
                )
        bounds = [
            ("memory_usage", self.memory_usage_below, -1, format_size),
            ("memory_usage", self.memory_usage_above, 1, format_size),
            ("pids_current", self.pids_current_above, 1, _plain),
            (
                "oom_kills",
                None if self.oom_kills_at_least is None else self.oom_kills_at_least - 1,
                1,
                _plain,
            ),
        ]
        for what, bound, sign, fmt in bounds:
            if bound is None:
                continue
            seen_n = int(stats.get(what) or 0)
            if (sign < 0 and not seen_n < bound) or (sign > 0 and not seen_n > bound):
                key = "cgroup_below" if sign < 0 else "cgroup_above"
                return Fail(say(key, name=self.container, what=word(what), seen=fmt(seen_n), want=fmt(bound)))
        files: dict[str, Any] = group.get("files") or {}
        for name, want_value in self.files.items():
            if name not in files:
                return Fail(
                    say("cgroup_no_file", name=self.container, file=name, seen=", ".join(sorted(files)))
                )
            if str(files[name]).strip() != want_value.strip():
                return Fail(
                    say(
                        "cgroup_value",
                        name=self.container,
                        what=name,
                        seen=str(files[name]).strip(),
                        want=want_value,
                    )
                )
        return Pass()


def _plain(value: object) -> str:
    return "unlimited" if value is None else str(value)
