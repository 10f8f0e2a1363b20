"""The lessons in lessons/: valid, bilingual, and no check passes vacuously.

For every step of every lesson: its check FAILS on an empty engine, FAILS on the state the
earlier steps leave (just before its own solution runs), and PASSES after the reference
solution. Then a reset leaves nothing the lesson made. This is `solve --all` against the
fake engine; CI runs the same against the real one.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox.lessons.checks import Fail
from sandbox.lessons.checks.base import CheckContext
from sandbox.lessons.inventory import Inventory
from sandbox.lessons.loader import lint_course, load_course
from sandbox.lessons.model import Lesson
from sandbox.lessons.progress import ProgressStore
from sandbox.lessons.runner import LessonSession
from sandbox.lessons.solver import solve_all
from sandbox.lessons.testing import FakeState, FakeWorld
from sandbox.lessons.text import LANGS
from tests.lessons.helpers import COURSE


def course_lessons() -> list[Lesson]:
    return list(load_course(COURSE))


# The fake engine (sandbox/lessons/testing) speaks only the docker commands these lessons use;
# the rest of the course runs against a real engine in test_course_on_engine.py.
FAKE_RUNNABLE = {"hello-container", "container-lifecycle"}


def fake_runnable_lessons() -> list[Lesson]:
    return [lesson for lesson in course_lessons() if lesson.id in FAKE_RUNNABLE]


def course_steps() -> list[tuple[str, int]]:
    return [(lesson.id, i) for lesson in course_lessons() for i in range(len(lesson.steps))]


def test_the_course_lints_clean() -> None:
    parsed, problems = lint_course(COURSE)
    assert [str(p) for p in problems] == []
    assert len(parsed) >= 2


@pytest.mark.parametrize("lesson", course_lessons(), ids=lambda lesson: lesson.id)
def test_every_lesson_is_bilingual_and_every_step_is_checked_and_hinted(lesson: Lesson) -> None:
    assert tuple(lesson.languages) == LANGS
    for step in lesson.steps:
        assert step.check is not None, f"{lesson.id}/{step.id} has no check"
        assert step.solve, f"{lesson.id}/{step.id} has no reference solution"
        assert step.hints is not None, f"{lesson.id}/{step.id} has no hints"
        for lang in LANGS:
            assert lesson.read(step.text, lang).strip()
            assert lesson.step_title(lesson.steps.index(step), lang) != step.id  # a real heading


@pytest.mark.parametrize("lesson_id, index", course_steps())
@pytest.mark.parametrize("world", ["empty", "fresh engine"])
def test_no_check_passes_on_an_empty_engine(lesson_id: str, index: int, world: str, tmp_path: Path) -> None:
    lesson = load_course(COURSE).get(lesson_id)
    state = FakeState(FakeWorld() if world == "empty" else FakeWorld.with_base_images())
    check = lesson.steps[index].check
    assert check is not None
    outcome = check.evaluate(CheckContext(state, lesson.directory, since=0.0, lesson_since=0.0))
    assert isinstance(outcome, Fail), f"{lesson_id} step {index + 1} passes with nothing done"
    assert outcome.message and outcome.render("zh")


@pytest.mark.parametrize("lesson", fake_runnable_lessons(), ids=lambda lesson: lesson.id)
def test_each_check_fails_before_its_solution_and_passes_after(lesson: Lesson, tmp_path: Path) -> None:
    state = FakeState()
    before = Inventory.take(state)
    session = LessonSession(
        lesson,
        state,
        state.runner(lesson.directory),
        ProgressStore(tmp_path / "p.json"),
        sleep=lambda s: None,
    )
    session.start()
    for index, step in enumerate(lesson.steps):
        assert session.index == index
        early = session.evaluate()
        assert isinstance(early, Fail), f"{step.id} passes before its solution ran"
        result = session.solve_step()
        assert result.passed, f"{step.id}: {result.outcome.message}"
    assert session.completed
    report = session.reset_lesson()
    assert report.ok, report.failed
    after = Inventory.take(state)
    assert (after.containers, after.images, after.volumes, after.networks) == (
        before.containers,
        before.images,
        before.volumes,
        before.networks,
    )


def test_solve_all_over_the_course_on_the_fake_engine(tmp_path: Path) -> None:
    state = FakeState()
    store = ProgressStore(tmp_path / "p.json")
    reports = solve_all(
        fake_runnable_lessons(),
        lambda lesson: LessonSession(
            lesson, state, state.runner(lesson.directory), store, sleep=lambda s: None
        ),
        state,
        is_root=False,
    )
    assert [(r.lesson_id, r.ok, r.errors) for r in reports] == [(r.lesson_id, True, []) for r in reports]
    assert all(r.steps for r in reports)
