"""Lessons for the fake backend: the lesson text from ``lessons.json`` and checks that
read the fake engine's *facts* (``container:web:running`` …), which recorded commands set.
This keeps the UI's flow honest in tests (a step passes only after its command ran)
without a lesson engine or a kernel."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sandbox.errors import LessonsUnavailable

from .types import CheckResult, LessonDoc, LessonSummary, Localized, ShowSpec, StepDoc


def parse_step(doc: Mapping[str, Any]) -> StepDoc:
    return StepDoc(text=Localized.of(doc.get("text")), try_command=doc.get("try"),
                   hints=tuple(Localized.of(h) for h in doc.get("hints") or []),
                   show=ShowSpec.parse(doc.get("show")), title=Localized.of(doc.get("title")))


def parse_lesson(doc: Mapping[str, Any]) -> LessonDoc:
    return LessonDoc(id=str(doc["id"]), title=Localized.of(doc.get("title")),
                     steps=tuple(parse_step(s) for s in doc.get("steps") or []),
                     summary=Localized.of(doc.get("summary")), needs_root=bool((doc.get("needs") or {}).get("root")))


@dataclass
class FakeWorld:
    """The fake engine's state shared by every session: facts and saved progress."""

    lessons: list[Mapping[str, Any]]
    facts: set[str] = field(default_factory=set)
    progress: dict[str, set[int]] = field(default_factory=dict)

    def lesson(self, lesson_id: str) -> Mapping[str, Any]:
        for doc in self.lessons:
            if doc.get("id") == lesson_id:
                return doc
        known = ", ".join(str(d.get("id")) for d in self.lessons)
        raise LessonsUnavailable(f"no lesson {lesson_id!r}", f"known lessons: {known}")

    def summaries(self) -> list[LessonSummary]:
        out = []
        for doc in self.lessons:
            lesson = parse_lesson(doc)
            out.append(LessonSummary(lesson.id, lesson.title, len(lesson.steps),
                                     len(self.progress.get(lesson.id, set())), lesson.summary,
                                     tuple(doc.get("requires") or ())))
        return out


class FakeSession:
    def __init__(self, world: FakeWorld, lesson_id: str) -> None:
        self._world = world
        self._raw = world.lesson(lesson_id)
        self.doc = parse_lesson(self._raw)

    def done(self) -> frozenset[int]:
        return frozenset(self._world.progress.get(self.doc.id, set()))

    def check(self, step: int) -> CheckResult:
        steps = self._raw.get("steps") or []
        if not 0 <= step < len(steps):
            return CheckResult.failed(f"step {step + 1} does not exist")
        check = steps[step].get("check") or {}
        missing = [f for f in check.get("facts") or [] if f not in self._world.facts]
        if missing:
            return CheckResult.failed(check.get("message") or f"not yet: {', '.join(missing)}")
        self._world.progress.setdefault(self.doc.id, set()).add(step)
        return CheckResult(True)

    def reset(self) -> None:
        # The lesson's facts are those its steps check; nothing else is touched, as a real
        # reset removes only what the lesson made.
        mine = {f for s in self._raw.get("steps") or [] for f in (s.get("check") or {}).get("facts") or []}
        self._world.facts -= mine
        self._world.progress.pop(self.doc.id, None)
