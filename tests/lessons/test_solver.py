"""solve --all's judgement: vacuous checks, failing solutions, and lessons that remove what
they did not make are all reported; the reset runs whatever happened."""

from __future__ import annotations

from pathlib import Path

from sandbox.lessons.loader import load_lesson
from sandbox.lessons.progress import ProgressStore
from sandbox.lessons.runner import LessonSession
from sandbox.lessons.solver import solve_lesson
from sandbox.lessons.testing import FakeState
from tests.lessons.helpers import MINIMAL, write_lesson


def solve(tmp_path: Path, state: FakeState, yaml_text: str):  # type: ignore[no-untyped-def]
    lesson = load_lesson(write_lesson(tmp_path / "lessons", "x", yaml_text))
    session = LessonSession(
        lesson,
        state,
        state.runner(lesson.directory),
        ProgressStore(tmp_path / "p.json"),
        sleep=lambda s: None,
    )
    return solve_lesson(lesson, session, state)


def test_a_good_lesson_passes_and_leaves_nothing(tmp_path: Path, state: FakeState) -> None:
    report = solve(tmp_path, state, MINIMAL.format(id="x"))
    assert report.ok and [s.step_id for s in report.steps] == ["01-run"]
    assert state.container("web") is None


def test_a_vacuous_check_is_caught(tmp_path: Path, state: FakeState) -> None:
    report = solve(tmp_path, state, MINIMAL.format(id="x").replace("running: true", "exists: false"))
    assert not report.ok
    assert report.steps[0].problem == "its check passes before the solution ran"


def test_a_solution_that_does_not_satisfy_its_check(tmp_path: Path, state: FakeState) -> None:
    text = MINIMAL.format(id="x").replace(
        'solve: ["docker run -d --name web busybox sleep 3600"]',
        'solve: ["docker run --name web busybox true"]\n    settle: 0.01',
    )
    report = solve(tmp_path, state, text)
    assert not report.ok
    assert report.steps[0].problem == "container web is exited (code 0), expected running"
    assert state.container("web") is None  # reset anyway


def test_a_failing_command_is_an_error_and_the_reset_still_runs(tmp_path: Path, state: FakeState) -> None:
    text = MINIMAL.format(id="x") + 'setup: ["docker volume create made", "docker pull nothing-like-it"]\n'
    report = solve(tmp_path, state, text)
    assert not report.ok and report.steps == []
    assert report.errors[0].startswith("setup `docker pull nothing-like-it` exited 1, expected 0")
    assert state.volume("made") is None


def test_removing_what_the_lesson_did_not_make_is_reported(tmp_path: Path, state: FakeState) -> None:
    state.docker("docker run -d --name precious busybox sleep 60")
    text = MINIMAL.format(id="x").replace(
        'solve: ["docker run -d --name web busybox sleep 3600"]',
        'solve: ["docker rm -f precious", "docker run -d --name web busybox sleep 3600"]',
    )
    report = solve(tmp_path, state, text)
    assert any("removed things it did not make" in e for e in report.errors)


def test_removing_an_image_the_lesson_did_not_make_is_reported(tmp_path: Path, state: FakeState) -> None:
    kept = state.docker.build_image("keep:1", "busybox", ["RUN echo mine"])
    text = MINIMAL.format(id="x").replace(
        'solve: ["docker run -d --name web busybox sleep 3600"]',
        'solve: ["docker rmi keep:1", "docker run -d --name web busybox sleep 3600"]',
    )
    report = solve(tmp_path, state, text)
    assert any("removed things it did not make" in e and kept.id[:19] in e for e in report.errors), report.errors


def test_a_tag_the_lesson_removed_is_put_back_by_the_reset(tmp_path: Path, state: FakeState) -> None:
    state.docker("docker tag busybox keep:1")
    text = MINIMAL.format(id="x").replace(
        'solve: ["docker run -d --name web busybox sleep 3600"]',
        'solve: ["docker rmi keep:1", "docker run -d --name web busybox sleep 3600"]',
    )
    report = solve(tmp_path, state, text)
    assert report.ok, report.errors
    assert state.world.find_image("keep:1") is not None


def test_a_tag_made_and_removed_by_the_lesson_is_not_reported(tmp_path: Path, state: FakeState) -> None:
    text = MINIMAL.format(id="x").replace(
        'solve: ["docker run -d --name web busybox sleep 3600"]',
        'solve: ["docker tag busybox mine:1", "docker rmi mine:1", "docker run -d --name web busybox sleep 3600"]',
    )
    report = solve(tmp_path, state, text)
    assert report.ok, (report.steps, report.errors)
