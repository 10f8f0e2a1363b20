"""Killercoda scenarios -> lessons: Markdown actions, hints, verify scripts, and two test
scenarios imported, linted and run end to end against the fake engine."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from sandbox.errors import ScenarioInvalid
from sandbox.lessons.checks import Fail
from sandbox.lessons.checks.command import CommandCheck
from sandbox.lessons.killercoda import import_scenario, read_scenario
from sandbox.lessons.killercoda.markdown import convert
from sandbox.lessons.loader import lint_course, load_lesson
from sandbox.lessons.progress import ProgressStore
from sandbox.lessons.runner import LessonSession
from sandbox.lessons.solver import solve_all
from sandbox.lessons.testing import FakeState
from tests.lessons.helpers import SCENARIOS

NAMES = ["first-container", "volume-data"]


def test_exec_snippets_become_commands_in_reading_order() -> None:
    md = (
        "Run `docker run -d --name web busybox sleep 60`{{exec}} first.\n\n"
        "```\ndocker ps\n# a comment\ndocker exec web ls\n```{{exec interrupt}}\n\n"
        "Copy `echo not-run`{{copy}} and see `plain`.\n\n```\nnot run either\n```\n"
    )
    out = convert(md)
    assert out.commands == ["docker run -d --name web busybox sleep 60", "docker ps", "docker exec web ls"]
    assert "{{" not in out.text and "`echo not-run`" in out.text and "not run either" in out.text


def test_details_become_hints_and_leave_the_text() -> None:
    md = (
        "Step text.\n<details><summary>Hint</summary>Look at `docker ps`.</details>\n"
        "<DETAILS>\n<summary>Solution</summary>\nRun `docker start web`{{exec}}\n</DETAILS>\n"
    )
    out = convert(md)
    assert out.hints == [("Hint", "Look at `docker ps`."), ("Solution", "Run `docker start web`")]
    assert out.hint_commands == ["docker start web"]
    assert out.commands == [] and "details" not in out.text.lower()


def test_traffic_placeholders_are_flagged() -> None:
    assert convert("Open {{TRAFFIC_HOST1_80}}").warnings


def test_read_scenario_nested_and_flat_layouts() -> None:
    nested = read_scenario(SCENARIOS / "first-container")
    assert nested.title == "First container" and len(nested.steps) == 3
    assert (
        nested.steps[0].verify is not None
        and nested.intro is not None
        and nested.intro.background is not None
    )
    flat = read_scenario(SCENARIOS / "volume-data")
    assert flat.steps[0].title == "Create a volume" and flat.finish is not None


@pytest.mark.parametrize(
    "index, problem",
    [
        (None, "no index.json"),
        ("{broken", "index.json:"),
        ({"title": "x"}, "no 'details' object"),
        ({"details": {"steps": []}}, "details.steps is empty"),
        ({"details": {"steps": [{"text": "missing.md"}]}}, "missing.md does not exist"),
        ({"details": {"steps": [{"text": "../outside.md"}]}}, "points outside the scenario"),
        ({"details": {"steps": [{"title": "no text"}]}}, "needs a 'text' file"),
    ],
)
def test_bad_scenarios_are_refused_with_the_reason(tmp_path: Path, index: object, problem: str) -> None:
    if isinstance(index, dict):
        (tmp_path / "index.json").write_text(json.dumps(index))
    elif isinstance(index, str):
        (tmp_path / "index.json").write_text(index)
    with pytest.raises(ScenarioInvalid) as err:
        read_scenario(tmp_path)
    assert problem in err.value.problem


@pytest.fixture
def imported(tmp_path: Path) -> Path:
    out = tmp_path / "lessons"
    for name in NAMES:
        import_scenario(SCENARIOS / name, out)
    return out


def test_import_writes_a_lesson_that_lints_clean(imported: Path) -> None:
    parsed, problems = lint_course(imported)
    assert [str(p) for p in problems] == []
    assert sorted(p.lesson.id for p in parsed if p.lesson) == NAMES


def test_import_round_trip_keeps_text_commands_hints_and_verify(imported: Path) -> None:
    lesson = load_lesson(imported / "first-container")
    assert lesson.languages == ["en"] and lesson.title.pick("zh") == "First container"
    assert [s.id for s in lesson.steps] == ["01-start-a-web-container", "02-write-inside-it", "03-stop-it"]
    first, second, third = lesson.steps
    assert first.try_ == "docker run -d --name web busybox sleep 3600"
    assert [c.run for c in first.solve] == ["docker run -d --name web busybox sleep 3600"]
    assert isinstance(first.check, CommandCheck) and first.check.script == "steps/01-verify.sh"
    assert (lesson.directory / "steps" / "01-verify.sh").read_text() == (
        SCENARIOS / "first-container" / "step1" / "verify.sh"
    ).read_text()
    assert first.hints is not None and "sleep 3600" in first.hints.nudge.pick("en")
    assert (
        second.hints is not None
        and second.hints.command == "docker exec web sh -c 'echo hello > /tmp/hello.txt'"
    )
    assert second.hints.solution is not None and "cat /tmp/hello.txt" in second.hints.solution.pick("en")
    assert [c.run for c in third.solve] == ["docker stop web"]
    assert [c.run for c in lesson.setup] == ["sh intro-background.sh"]
    text = lesson.read(second.text, "en")
    assert text.startswith("# Write inside it") and "<details>" not in text
    assert lesson.intro is not None and "start a container" in lesson.read(lesson.intro, "en")


def test_import_refuses_to_overwrite_without_force(imported: Path) -> None:
    with pytest.raises(ScenarioInvalid, match="already exists"):
        import_scenario(SCENARIOS / "volume-data", imported)
    report = import_scenario(SCENARIOS / "volume-data", imported, force=True)
    assert (report.directory / "lesson.yaml").is_file()


def test_import_reports_what_it_cannot_translate(tmp_path: Path) -> None:
    source = tmp_path / "k8s"
    shutil.copytree(SCENARIOS / "volume-data", source)
    index = json.loads((source / "index.json").read_text())
    index["backend"]["imageid"] = "kubernetes-kubeadm-1node"
    index["details"]["steps"][0]["text"] = "bare.md"
    (source / "bare.md").write_text("Nothing to click here.\n")
    (source / "index.json").write_text(json.dumps(index))
    report = import_scenario(source, tmp_path / "out")
    assert any("Kubernetes" in w for w in report.warnings)
    assert any("no {{exec}} command" in w for w in report.warnings)
    problems = lint_course(report.directory)[1]
    assert any(p.field == "steps[0].solve" for p in problems)  # lint says what to finish by hand


@pytest.mark.parametrize("name", NAMES)
def test_imported_scenarios_run_end_to_end(imported: Path, tmp_path: Path, name: str) -> None:
    lesson = load_lesson(imported / name)
    state = FakeState()
    store = ProgressStore(tmp_path / "p.json")
    reports = solve_all(
        [lesson],
        lambda lesson: LessonSession(
            lesson, state, state.runner(lesson.directory), store, sleep=lambda s: None
        ),
        state,
        is_root=False,
    )
    assert reports[0].ok, (reports[0].steps, reports[0].errors)
    assert len(reports[0].steps) == 3
    # The verify scripts really ran, in /bin/sh, against the fake engine.
    assert sum("-verify.sh" in c for c in state.host_commands) >= 6


def test_a_learner_follows_an_imported_scenario(imported: Path, tmp_path: Path) -> None:
    lesson = load_lesson(imported / "first-container")
    state = FakeState()
    session = LessonSession(lesson, state, state.runner(lesson.directory), ProgressStore(tmp_path / "p.json"))
    session.start()  # runs the intro's background script through the shell
    first = session.check()
    assert isinstance(first.outcome, Fail)
    assert (
        first.outcome.message.startswith("`sh ")
        and "01-verify.sh` exited with 1, expected 0" in first.outcome.message
    )
    assert session.run(lesson.steps[0].try_ or "")[0] == 0
    assert session.check().passed and session.index == 1
