"""The real lesson engine behind the TUI's LessonSession protocol, on the lesson engine's
own fake Docker world (no engine needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox.errors import LessonsUnavailable
from sandbox.tui.backend.course import CourseLessons, course_root

lessons = pytest.importorskip("sandbox.lessons.testing")

COURSE = Path(__file__).resolve().parents[2] / "lessons"


@pytest.fixture
def course(tmp_path: Path) -> CourseLessons:
    from sandbox.lessons.runner import LessonSession

    if not (COURSE / "hello-container").is_dir():
        pytest.skip("the course has no hello-container lesson")
    state = lessons.FakeState()
    return CourseLessons(COURSE, tmp_path / "progress.json",
                         lambda lesson, store: LessonSession(lesson, state, state.docker, store))


def test_lessons_are_listed_with_progress(course: CourseLessons) -> None:
    summary = {s.id: s for s in course.list_lessons()}["hello-container"]
    assert summary.title.get("zh") == "你的第一个容器" and summary.steps == 4 and summary.done == 0


def test_a_session_shows_text_hints_and_checks_in_both_languages(course: CourseLessons) -> None:
    session = course.open_session("hello-container")
    first = session.doc.steps[0]
    assert first.text.get("en") and first.text.get("zh") and first.text.get("en") != first.text.get("zh")
    assert first.try_command == "docker run --name hello busybox echo 'Hello from a container'"
    assert len(first.hints) == 3 and first.hints[1].get("en") == first.try_command
    assert first.show is not None and first.show.picture == "trace"
    assert session.doc.steps[2].show is not None and session.doc.steps[2].show.picture == "namespaces"
    failed = session.check(0)
    assert not failed.passed and failed.message("en") and failed.message("zh")
    session._session.run(first.try_command)  # as the learner would, through the same seam
    assert session.check(0).passed and session.done() == {0}
    assert {s.id: s for s in course.list_lessons()}["hello-container"].done == 1
    session.reset()
    assert session.done() == frozenset()


def test_missing_course_or_lesson(tmp_path: Path, course: CourseLessons) -> None:
    with pytest.raises(LessonsUnavailable, match="no lesson 'nope'"):
        course.open_session("nope")
    empty = CourseLessons(tmp_path / "none", tmp_path / "p.json", lambda lesson, store: None)
    with pytest.raises(LessonsUnavailable, match="no lessons folder"):
        empty.list_lessons()
    assert course_root({"SANDBOX_LESSONS": "/x"}) == Path("/x")
    assert course_root({}).name == "lessons"
