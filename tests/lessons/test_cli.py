"""`sandbox lessons …` end to end on the fake engine: output, exit codes, files written."""

from __future__ import annotations

import io
import json
import threading
from pathlib import Path

import pytest

from sandbox.lessons.cli import main
from sandbox.lessons.loader import load_course
from sandbox.lessons.testing import FakeState
from tests.helpers import wait_until
from tests.lessons.helpers import COURSE, MINIMAL, SCENARIOS, write_lesson


class Run:
    def __init__(self, tmp_path: Path, state: FakeState, lessons: Path = COURSE) -> None:
        self.state = state
        self.env = {
            "HOME": str(tmp_path / "home"),
            "XDG_DATA_HOME": str(tmp_path / "data"),
            "LANG": "C.UTF-8",
            "PATH": "/usr/bin:/bin",
        }
        self.lessons = lessons
        self.progress = tmp_path / "data" / "sandbox" / "progress.json"

    def __call__(self, *argv: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        code = main(
            ["--lessons-dir", str(self.lessons), *argv],
            state=self.state,
            run_command=self.state.docker,
            stdout=out,
            stderr=err,
            env=self.env,
            is_root=False,
        )
        return code, out.getvalue(), err.getvalue()


@pytest.fixture
def run(tmp_path: Path, state: FakeState) -> Run:
    """The CLI over the two lessons the fake engine can run (copied, so the course may grow)."""
    import shutil

    course = tmp_path / "course"
    for lesson in ("hello-container", "container-lifecycle"):
        shutil.copytree(COURSE / lesson, course / lesson)
    return Run(tmp_path, state, course)


def test_list_shows_every_lesson_with_progress(run: Run) -> None:
    code, out, _ = run("list")
    assert code == 0
    assert "hello-container" in out and "container-lifecycle" in out and "0/4" in out
    assert out.index("hello-container") < out.index("container-lifecycle")  # requires first
    assert "你的第一个容器" in run("--lang", "zh", "list")[1]
    assert "你的第一个容器" in run("list", "--lang", "zh")[1]  # the option after the subcommand too


def test_show_before_start_gives_intro_steps_and_how_to_begin(run: Run) -> None:
    code, out, _ = run("show", "hello-container")
    assert code == 0
    assert "1. Run a container" in out and "A container is not a small virtual machine" in out
    assert "sandbox lessons start hello-container" in out
    code, out, _ = run("show", "hello-container", "--step", "3", "--lang", "zh")
    assert "进入容器内部" in out and "试试: docker exec greeter" in out


def test_a_learner_session_from_the_terminal(run: Run) -> None:
    code, out, _ = run("start", "hello-container")
    assert code == 0 and "step 1/4: Run a container" in out
    code, out, _ = run("check", "hello-container")
    assert code == 1
    assert "✗ 01-run: there is no container named hello" in out
    assert "sandbox lessons hint hello-container" in out
    code, out, _ = run("hint", "hello-container")
    assert code == 0 and out.startswith("hint 1/3 (where to look):")
    code, out, _ = run("hint", "hello-container")
    assert "hint 2/3 (the command):\ndocker run --name hello busybox echo 'Hello from a container'" in out
    run.state.docker("docker run --name hello busybox echo 'Hello from a container'")
    code, out, _ = run("check", "hello-container")
    assert code == 0 and "✓ 01-run: passed" in out and "step 2/4: Keep one running" in out
    assert json.loads(run.progress.read_text())["lessons"]["hello-container"]["current"] == "02-detach"
    code, out, _ = run("--lang", "zh", "check", "hello-container")
    assert code == 1 and "✗ 02-detach: 没有名为 greeter 的容器" in out


def test_solve_a_step_and_then_the_rest(run: Run) -> None:
    code, out, _ = run("solve", "container-lifecycle", "--step")
    assert code == 0 and "✓ 01-create: passed" in out and "02-start" not in out.split("---")[0]
    code, out, _ = run("solve", "container-lifecycle")
    assert code == 0 and "lesson container-lifecycle complete" in out
    assert "✓ 07-remove: passed" in out
    code, out, _ = run("list")
    assert "✓ container-lifecycle" in out and "7/7" in out


def test_reset_removes_what_the_lesson_made(run: Run) -> None:
    run.state.docker("docker run -d --name keep busybox sleep 60")
    run("solve", "hello-container", "--step")
    run("solve", "hello-container", "--step")
    code, out, _ = run("reset", "hello-container")
    assert code == 0
    assert "removed: container hello" in out and "removed: container greeter" in out
    assert run.state.container("keep") is not None and run.state.container("greeter") is None
    code, out, _ = run("reset", "hello-container")
    assert "nothing to reset" in out


def test_reset_of_a_step(run: Run) -> None:
    run("solve", "hello-container", "--step")
    run.state.docker("docker run -d --name greeter busybox sleep 60")
    code, out, _ = run("reset", "hello-container", "--step")
    assert code == 0 and "step 02-detach starts over" in out and "removed: container greeter" in out
    assert run.state.container("hello") is not None


def test_solve_all_reports_each_lesson(run: Run) -> None:
    code, out, _ = run("solve", "--all")
    assert code == 0, out
    assert "PASS hello-container (4 steps)" in out and "PASS container-lifecycle (7 steps)" in out
    assert "2 of 2 lessons solved" in out
    assert not run.progress.exists()  # a throwaway store, never the learner's


def test_solve_all_fails_on_a_vacuous_check(tmp_path: Path, state: FakeState) -> None:
    lessons = tmp_path / "lessons"
    write_lesson(
        lessons,
        "vacuous",
        MINIMAL.format(id="vacuous").replace(
            "{container: {name: web, running: true}}", "{container: {name: web, exists: false}}"
        ),
    )
    code, out, _ = Run(tmp_path, state, lessons)("solve", "--all")
    assert code == 1
    assert "FAIL vacuous" in out and "its check passes before the solution ran" in out


def test_solve_all_skips_root_lessons_when_not_root(tmp_path: Path, state: FakeState) -> None:
    lessons = tmp_path / "lessons"
    write_lesson(lessons, "rooty", MINIMAL.format(id="rooty") + "needs: {root: true}\n")
    code, out, _ = Run(tmp_path, state, lessons)("solve", "--all")
    assert code == 0 and "SKIP rooty: needs root" in out


def test_lint(run: Run, tmp_path: Path) -> None:
    code, out, _ = run("lint")
    assert code == 0 and out.strip() == "2 lessons, no problems"
    bad = tmp_path / "bad"
    write_lesson(bad, "x", MINIMAL.format(id="x").replace("container:", "contaner:"))
    code, out, _ = run("lint", str(bad))
    assert code == 1
    assert f"{bad / 'x' / 'lesson.yaml'}:7: steps[0].check.contaner: unknown check type" in out
    assert out.strip().endswith("1 problem in 1 lesson")


def test_import_killercoda(run: Run, tmp_path: Path) -> None:
    out_dir = tmp_path / "imported"
    code, out, _ = run("import-killercoda", str(SCENARIOS / "volume-data"), "--out", str(out_dir))
    assert code == 0, out
    assert "as lesson volume-data" in out and (out_dir / "volume-data" / "lesson.yaml").is_file()
    code, _, err = run("import-killercoda", str(SCENARIOS / "volume-data"), "--out", str(out_dir))
    assert code == 1 and "already exists" in err


def test_progress_export_and_import(run: Run, tmp_path: Path) -> None:
    run("solve", "hello-container", "--step")
    exported = tmp_path / "mine.json"
    assert run("progress", "export", str(exported))[0] == 0
    assert "hello-container" in json.loads(exported.read_text())["lessons"]
    run.progress.unlink()
    code, out, _ = run("progress", "import", str(exported))
    assert code == 0 and "1 lesson(s) updated" in out
    code, out, _ = run("progress")
    assert "hello-container" in out and "1 step(s) done" in out
    assert run("progress", "path")[1].strip() == str(run.progress)


def test_a_corrupt_progress_file_is_reported_and_kept(run: Run) -> None:
    run.progress.parent.mkdir(parents=True)
    run.progress.write_text("{oops")
    code, _, err = run("start", "hello-container")
    assert code == 0
    assert "progress file" in err and "a copy is kept at" in err
    backups = list(run.progress.parent.glob("progress.json.corrupt-*"))
    assert len(backups) == 1 and backups[0].read_text() == "{oops"


def test_errors_are_one_line_with_a_hint(run: Run) -> None:
    code, _, err = run("show", "no-such-lesson")
    assert code == 1
    assert err.startswith("sandbox lessons: no lesson 'no-such-lesson' in ")
    assert "hint: known lessons: hello-container, container-lifecycle" in err
    code, _, err = run("solve")
    assert code == 1 and "name a lesson, or use --all" in err


def test_usage_errors_exit_2(run: Run) -> None:
    assert run("frobnicate")[0] == 2
    assert run("--lang", "fr", "list")[0] == 2


def test_check_watch_follows_the_engine_events(run: Run) -> None:
    lesson = load_course(COURSE).get("container-lifecycle")
    run("start", "container-lifecycle")
    result: dict[str, tuple[int, str, str]] = {}
    watcher = threading.Thread(
        target=lambda: result.setdefault("run", run("check", "--watch", "container-lifecycle"))
    )
    watcher.start()
    try:
        assert wait_until(lambda: bool(run.state.world.subscribers), timeout=10)

        def current() -> str | None:
            return json.loads(run.progress.read_text())["lessons"]["container-lifecycle"]["current"]

        for index, step in enumerate(lesson.steps):
            for command in step.solve:
                run.state.docker(command.run)
            following = lesson.steps[index + 1].id if index + 1 < len(lesson.steps) else None
            assert wait_until(lambda want=following: current() == want, timeout=10), (
                f"{step.id} not re-checked"
            )
    finally:
        watcher.join(timeout=10)
    code, out, _ = result["run"]
    assert code == 0
    assert "watching the engine" in out
    assert [line.split(":")[0] for line in out.splitlines() if line.startswith("✓")] == [
        f"✓ {s.id}" for s in lesson.steps
    ]
    assert "lesson container-lifecycle complete" in out
    assert run.state.world.subscribers == []  # the subscription was closed


def test_a_root_lesson_refuses_a_normal_user(tmp_path: Path, state: FakeState) -> None:
    lessons = tmp_path / "lessons"
    write_lesson(lessons, "rooty", MINIMAL.format(id="rooty") + "needs: {root: true}\n")
    code, _, err = Run(tmp_path, state, lessons)("start", "rooty")
    assert code == 1 and "lesson rooty needs root" in err and "hint: run it with sudo" in err
