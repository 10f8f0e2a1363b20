"""LessonSession: setup, checks that fail before and pass after, hints, solutions, events,
resets and what is kept in the progress file."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from sandbox.errors import CommandFailed, EngineUnavailable, LessonError, ResourceConflict, SandboxError
from sandbox.lessons.checks import Fail, Outcome
from sandbox.lessons.checks.base import CheckContext
from sandbox.lessons.loader import load_lesson
from sandbox.lessons.model import Lesson
from sandbox.lessons.progress import ProgressStore
from sandbox.lessons.runner import LessonSession, StepOutcome
from sandbox.lessons.testing import FakeState
from sandbox.lessons.text import Text
from tests.lessons.helpers import Timers, write_lesson

TWO_STEPS = """
id: two
title: {en: "Two steps", zh: "两步"}
summary: {en: "s", zh: "s"}
resources: {containers: [web]}
setup: ["docker volume create lesson-data"]
steps:
  - text: steps/01-run.md
    try: "docker run -d --name web busybox sleep 3600"
    check: {container: {name: web, running: true}}
    hints:
      nudge: {en: "Use -d.", zh: "用 -d。"}
      solution: {en: "Run it detached.", zh: "在后台运行。"}
    solve: ["docker run -d --name web busybox sleep 3600"]
  - text: steps/02-stop.md
    setup: ["docker network create step-net"]
    check: {container: {name: web, status: exited}}
    solve: ["docker stop web"]
"""


@pytest.fixture
def lesson(tmp_path: Path) -> Lesson:
    return load_lesson(write_lesson(tmp_path / "lessons", "two", TWO_STEPS))


def session_for(lesson: Lesson, state: FakeState, store: ProgressStore, **kw: object) -> LessonSession:
    return LessonSession(lesson, state, state.runner(lesson.directory), store, sleep=lambda s: None, **kw)  # type: ignore[arg-type]


def test_start_runs_setup_and_begins_the_first_step(
    lesson: Lesson, state: FakeState, store: ProgressStore
) -> None:
    session = session_for(lesson, state, store)
    assert not session.started and session.index is None
    session.start()
    assert state.volume("lesson-data") is not None
    assert session.index == 0 and session.step is lesson.steps[0]
    rec = store.load().lessons["two"]
    assert rec.current == "01-run" and rec.snapshot is not None and rec.started_at is not None


def test_check_fails_before_and_passes_after_then_advances(
    lesson: Lesson, state: FakeState, store: ProgressStore
) -> None:
    session = session_for(lesson, state, store)
    session.start()
    first = session.check()
    assert isinstance(first.outcome, Fail) and not first.advanced
    assert first.outcome.message == "there is no container named web"
    assert session.run("docker run -d --name web busybox sleep 3600")[0] == 0
    passed = session.check()
    assert passed.passed and passed.advanced and not passed.finished
    assert session.index == 1
    assert state.network("step-net") is not None  # the second step's setup ran
    assert store.load().lessons["two"].steps["01-run"].done_at is not None


def test_finishing_the_last_step_completes_the_lesson(
    lesson: Lesson, state: FakeState, store: ProgressStore
) -> None:
    session = session_for(lesson, state, store)
    results = session.solve_lesson()
    assert [r.passed for r in results] == [True, True] and results[-1].finished
    assert session.completed and session.step is None
    rec = store.load().lessons["two"]
    assert rec.completed_at is not None and rec.current is None
    assert all(s.solved for s in rec.steps.values())
    with pytest.raises(LessonError, match="complete"):
        session.check()


def test_progress_survives_a_new_session(lesson: Lesson, state: FakeState, store: ProgressStore) -> None:
    session_for(lesson, state, store).solve_step()
    again = session_for(lesson, state, store)
    assert again.started and again.index == 1
    again.start()  # resuming does not run the setup or reset anything
    assert again.index == 1


def test_a_name_in_use_stops_the_start_and_changes_nothing(
    lesson: Lesson, state: FakeState, store: ProgressStore
) -> None:
    state.docker("docker run -d --name web busybox sleep 60")
    with pytest.raises(ResourceConflict) as err:
        session_for(lesson, state, store).start()
    assert "container named web already exists" in err.value.message and "docker rm -f web" in (
        err.value.hint or ""
    )
    assert state.volume("lesson-data") is None
    assert "two" not in store.load().lessons


def test_a_failing_setup_command_says_what_failed(
    tmp_path: Path, state: FakeState, store: ProgressStore
) -> None:
    text = TWO_STEPS.replace(
        'setup: ["docker volume create lesson-data"]', 'setup: ["docker pull nosuchimage"]'
    )
    lesson = load_lesson(write_lesson(tmp_path / "l", "two", text))
    with pytest.raises(CommandFailed) as err:
        session_for(lesson, state, store).start()
    assert err.value.command == "docker pull nosuchimage" and err.value.code == 1
    assert "pull access denied" in err.value.message


def test_expected_exit_codes(tmp_path: Path, state: FakeState, store: ProgressStore) -> None:
    text = TWO_STEPS.replace(
        'solve: ["docker stop web"]',
        'solve:\n      - {run: "docker stop web"}\n'
        "      - {run: \"docker run --name crash busybox sh -c 'exit 3'\", expect_exit: 3}",
    )
    lesson = load_lesson(write_lesson(tmp_path / "l", "two", text))
    results = session_for(lesson, state, store).solve_lesson()
    assert all(r.passed for r in results)


def test_hint_tiers_nudge_command_solution(lesson: Lesson, state: FakeState, store: ProgressStore) -> None:
    session = session_for(lesson, state, store)
    tiers = [session.hint() for _ in range(4)]
    assert [t.kind for t in tiers if t] == ["nudge", "command", "solution"]
    assert tiers[0] is not None and tiers[0].text.pick("zh") == "用 -d。"
    assert tiers[1] is not None and tiers[1].text.pick("en") == "docker run -d --name web busybox sleep 3600"
    assert tiers[2] is not None and tiers[2].text.pick("en") == "Run it detached."
    assert tiers[3] is None
    assert store.load().lessons["two"].steps["01-run"].hints == 3
    assert len(session_for(lesson, state, store).hints_shown()) == 3  # remembered


def test_without_hints_the_tiers_come_from_try_and_solve(
    lesson: Lesson, state: FakeState, store: ProgressStore
) -> None:
    session = session_for(lesson, state, store)
    session.solve_step()
    tiers = session.tiers(lesson.steps[1])
    assert [(t.tier, t.kind) for t in tiers] == [(3, "solution")]
    assert tiers[0].text.pick("en") == "docker stop web"


def test_solve_step_waits_for_the_state_to_settle(
    lesson: Lesson, state: FakeState, store: ProgressStore
) -> None:
    real = lesson.steps[0].check
    looks = {"n": 0}

    class Slow:
        """Passes from the third look on, like a container that takes a moment to start."""

        def evaluate(self, ctx: CheckContext) -> Outcome:
            looks["n"] += 1
            return real.evaluate(ctx) if looks["n"] >= 3 else Fail(Text.same("not yet"))

    slow = dataclasses.replace(
        lesson, steps=[dataclasses.replace(lesson.steps[0], check=Slow()), lesson.steps[1]]
    )
    clock = [0.0]
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        clock[0] += seconds

    session = LessonSession(
        slow, state, state.runner(lesson.directory), store, monotonic=lambda: clock[0], sleep=sleep
    )
    assert session.solve_step().passed
    assert looks["n"] == 3 and sleeps == [0.05, 0.1]


def test_solve_step_gives_up_after_settle(tmp_path: Path, state: FakeState, store: ProgressStore) -> None:
    text = TWO_STEPS.replace(
        '    solve: ["docker run -d --name web busybox sleep 3600"]',
        '    solve: ["docker run --name web busybox true"]\n    settle: 1',
    )
    lesson = load_lesson(write_lesson(tmp_path / "l", "two", text))
    clock = [0.0]
    session = LessonSession(
        lesson,
        state,
        state.runner(lesson.directory),
        store,
        monotonic=lambda: clock[0],
        sleep=lambda s: clock.__setitem__(0, clock[0] + s),
    )
    result = session.solve_step()
    assert (
        not result.passed and result.outcome.message == "container web is exited (code 0), expected running"
    )
    assert clock[0] >= 1.0 and session.index == 0


def test_events_recheck_once_after_a_burst(
    lesson: Lesson, state: FakeState, store: ProgressStore, timers: Timers
) -> None:
    seen: list[StepOutcome] = []
    session = session_for(lesson, state, store, timer=timers, listener=seen.append)
    session.start()
    state.docker("docker run -d --name web busybox sleep 3600")
    for event in state.world.events[-3:]:
        session.on_event(event)
    session.on_event({"Type": "daemon", "Action": "reload"})  # not about the lesson's objects
    assert len(timers.live()) == 1 and seen == []
    timers.fire()
    assert len(seen) == 1 and seen[0].passed and seen[0].step_id == "01-run"
    assert session.index == 1


def test_events_before_start_or_after_the_end_are_ignored(
    lesson: Lesson, state: FakeState, store: ProgressStore, timers: Timers
) -> None:
    session = session_for(lesson, state, store, timer=timers, listener=lambda r: None)
    session.on_event({"Type": "container", "Action": "start"})
    assert timers.made == []
    session.solve_lesson()
    session.on_event({"Type": "container", "Action": "start"})
    assert timers.made == []


def test_reset_lesson_removes_only_what_the_lesson_made(
    lesson: Lesson, state: FakeState, store: ProgressStore
) -> None:
    state.docker("docker run -d --name mine busybox sleep 60")
    state.docker("docker volume create keepme")
    session = session_for(lesson, state, store)
    session.solve_step()
    state.docker("docker run -d --name extra busybox sleep 60")  # made by the learner during the lesson
    report = session.reset_lesson()
    assert report.ok
    assert sorted(report.removed) == [
        "container extra",
        "container web",
        "network step-net",
        "volume lesson-data",
    ]
    assert state.container("mine") is not None and state.volume("keepme") is not None
    assert state.container("web") is None and state.volume("lesson-data") is None
    assert state.image("busybox") is not None
    assert not session.started and "01-run" not in store.load().lessons["two"].steps


def test_reset_step_keeps_what_earlier_steps_made(
    lesson: Lesson, state: FakeState, store: ProgressStore
) -> None:
    session = session_for(lesson, state, store)
    session.solve_step()
    state.docker("docker run -d --name scratch busybox sleep 60")
    report = session.reset_step()
    assert sorted(report.removed) == ["container scratch", "network step-net"]
    assert state.container("web") is not None  # made by step 1: kept
    assert state.network("step-net") is not None  # the step's setup ran again
    assert session.index == 1


def test_reset_of_a_lesson_never_started_touches_nothing(
    lesson: Lesson, state: FakeState, store: ProgressStore
) -> None:
    state.docker("docker run -d --name web busybox sleep 60")
    report = session_for(lesson, state, store).reset_lesson()
    assert report.removed == [] and report.failed == []
    assert state.container("web") is not None


def test_a_step_without_a_check_passes_on_enter(
    tmp_path: Path, state: FakeState, store: ProgressStore
) -> None:
    text = TWO_STEPS.replace(
        """    check: {container: {name: web, status: exited}}
    solve: ["docker stop web"]
""",
        "",
    )
    lesson = load_lesson(write_lesson(tmp_path / "l", "two", text))
    session = session_for(lesson, state, store)
    session.solve_step()
    result = session.check()
    assert result.passed and result.finished
    assert result.outcome.message == "this step has nothing to check: read it, then go on"


def test_starting_a_completed_lesson_says_how_to_redo_it(
    lesson: Lesson, state: FakeState, store: ProgressStore
) -> None:
    session = session_for(lesson, state, store)
    session.solve_lesson()
    with pytest.raises(LessonError) as err:
        session.start()
    assert err.value.message == "lesson two is complete"
    assert err.value.hint == "`sandbox lessons reset two` starts it over"


def test_a_recheck_that_fails_underneath_is_reported_not_swallowed(
    lesson: Lesson, state: FakeState, store: ProgressStore, timers: Timers
) -> None:
    errors: list[SandboxError] = []
    session = session_for(lesson, state, store, timer=timers, listener=lambda r: None, on_error=errors.append)
    session.start()

    def engine_gone(name: str) -> None:
        raise EngineUnavailable("unix:///run/sandbox/engine.sock", "connection refused")

    state.container = engine_gone  # type: ignore[method-assign, assignment]
    session.on_event({"Type": "container", "Action": "start"})
    timers.fire()
    assert len(errors) == 1 and "cannot connect to the engine" in errors[0].message
