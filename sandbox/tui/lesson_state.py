"""Where the learner is in a lesson: the current step, the steps passed, and how many
hint tiers each step has shown. Pure; the lesson screen holds one and hands its parts
down to the widgets."""

from __future__ import annotations

from dataclasses import dataclass, field

from .backend.types import LessonDoc


@dataclass
class LessonState:
    doc: LessonDoc
    done: set[int] = field(default_factory=set)
    current: int = 0
    hints_shown: dict[int, int] = field(default_factory=dict)

    @classmethod
    def start(cls, doc: LessonDoc, done: frozenset[int] | set[int]) -> LessonState:
        state = cls(doc, set(done))
        state.current = state.first_open()
        return state

    @property
    def total(self) -> int:
        return len(self.doc.steps)

    @property
    def complete(self) -> bool:
        return self.total > 0 and len(self.done & set(range(self.total))) == self.total

    def first_open(self) -> int:
        """The first step not passed yet; the last step when all are."""
        for i in range(self.total):
            if i not in self.done:
                return i
        return max(self.total - 1, 0)

    def pass_step(self, step: int) -> bool:
        """Record a pass; moves on to the next open step when ``step`` is the current one.
        Returns whether it moved."""
        self.done.add(step)
        if step == self.current and not self.complete:
            nxt = next((i for i in range(step + 1, self.total) if i not in self.done), None)
            self.current = nxt if nxt is not None else self.first_open()
            return True
        return False

    def go(self, delta: int) -> None:
        if self.total:
            self.current = min(max(self.current + delta, 0), self.total - 1)

    def next_hint(self) -> tuple[int, int] | None:
        """Reveal one more tier of the current step's hints: (tier, of), 1-based; the last
        tier stays shown once reached. None when the step has no hints."""
        hints = self.doc.steps[self.current].hints if self.total else ()
        if not hints:
            return None
        shown = min(self.hints_shown.get(self.current, 0) + 1, len(hints))
        self.hints_shown[self.current] = shown
        return shown, len(hints)

    def reset(self) -> None:
        self.done.clear()
        self.hints_shown.clear()
        self.current = 0
