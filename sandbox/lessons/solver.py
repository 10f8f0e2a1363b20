"""``sandbox lessons solve --all``: every lesson's reference solution against a live engine.

This is what CI runs against a fresh engine. For each lesson, for each step:

1. the check must FAIL before the solution runs — a check that already passes would let a
   learner through without doing anything (it "passes vacuously");
2. the reference solution runs, and the check must then PASS (within the step's settle time);

and after the lesson, a reset must leave no container, image, volume or network the lesson
made (compared with a snapshot taken before it started), and everything in that snapshot
must still be there, tags naming the same images. Progress goes to a throwaway store,
never the learner's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sandbox.errors import SandboxError

from .checks import Pass
from .inventory import Inventory
from .model import Lesson
from .runner import LessonSession
from .state import StateReader


@dataclass
class StepReport:
    step_id: str
    ok: bool
    problem: str = ""


@dataclass
class LessonReport:
    lesson_id: str
    steps: list[StepReport] = field(default_factory=list)
    skipped: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and all(s.ok for s in self.steps)


def solve_lesson(lesson: Lesson, session: LessonSession, state: StateReader) -> LessonReport:
    report = LessonReport(lesson.id)
    before = Inventory.take(state)
    try:
        session.start()
        while session.step is not None:
            step = session.step
            if step.check is not None:
                early = session.evaluate()
                if isinstance(early, Pass):
                    report.steps.append(
                        StepReport(step.id, False, "its check passes before the solution ran")
                    )
                    break
            result = session.solve_step()
            report.steps.append(
                StepReport(step.id, result.passed, "" if result.passed else result.outcome.message)
            )
            if not result.passed:
                break
    except SandboxError as err:
        report.errors.append(err.message)
    finally:
        _reset(session, state, before, report)
    return report


def _reset(session: LessonSession, state: StateReader, before: Inventory, report: LessonReport) -> None:
    try:
        reset = session.reset_lesson()
    except SandboxError as err:
        report.errors.append(f"reset failed: {err.message}")
        return
    report.errors.extend(f"reset could not remove {f}" for f in reset.failed)
    after = Inventory.take(state)
    left = sorted(
        {
            *(after.containers - before.containers),
            *(after.images - before.images),
            *(after.volumes - before.volumes),
            *(after.networks - before.networks),
        }
    )
    if left:
        report.errors.append(f"reset left behind: {', '.join(x[:19] for x in left)}")
    gone = sorted(
        {
            *(before.containers - after.containers),
            *(before.images - after.images),
            *(before.volumes - after.volumes),
            *(before.networks - after.networks),
        }
    )
    # A tag the learner had must still name the same image: reset moves re-pointed tags
    # back, so one that is gone or elsewhere was removed behind the reset's back.
    gone += sorted(tag for tag, image in before.tags.items() if after.tags.get(tag) != image)
    if gone:
        report.errors.append(f"the lesson removed things it did not make: {', '.join(x[:19] for x in gone)}")


def solve_all(
    lessons: Iterable[Lesson],
    make_session: Callable[[Lesson], LessonSession],
    state: StateReader,
    *,
    is_root: bool,
    report: Callable[[LessonReport], None] | None = None,
) -> list[LessonReport]:
    out: list[LessonReport] = []
    for lesson in lessons:
        if lesson.needs.root and not is_root:
            result = LessonReport(lesson.id, skipped="needs root")
        else:
            session = make_session(lesson)
            try:
                result = solve_lesson(lesson, session, state)
            finally:
                session.close()
        out.append(result)
        if report is not None:
            report(result)
    return out
