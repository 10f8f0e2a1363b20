"""``sandbox lessons`` commands around the lessons: solve, reset, lint, import, progress."""

from __future__ import annotations

import tempfile
from pathlib import Path

from sandbox.errors import LessonError, ProgressCorrupt

from .cli_context import Cli
from .cli_learn import report_step
from .progress import ProgressStore
from .runner import LessonSession
from .ui import ui


def cmd_solve(cli: Cli) -> int:
    if cli.args.all:
        return _solve_all(cli)
    if not cli.args.lesson:
        raise LessonError("name a lesson, or use --all", "sandbox lessons solve LESSON [--step] | --all")
    lesson = cli.lesson()
    session = cli.session(lesson)
    results = [session.solve_step()] if cli.args.step else session.solve_lesson()
    for result in results:
        report_step(cli, lesson, result)
    return 0 if results and all(r.passed for r in results) else 1


def _solve_all(cli: Cli) -> int:
    from .solver import LessonReport, solve_all

    course = cli.course()
    state = cli.engine_state()
    failed = 0
    with tempfile.TemporaryDirectory(prefix="sandbox-solve-") as tmp:
        store = ProgressStore(Path(tmp) / "progress.json")

        def show(report: LessonReport) -> None:
            nonlocal failed
            if report.skipped:
                cli.say(f"SKIP {report.lesson_id}: {report.skipped}")
                return
            if not report.ok:
                failed += 1
            cli.say(f"{'PASS' if report.ok else 'FAIL'} {report.lesson_id} ({len(report.steps)} steps)")
            for step in report.steps:
                if not step.ok:
                    cli.say(f"     step {step.step_id}: {step.problem}")
            for error in report.errors:
                cli.say(f"     {error}")

        reports = solve_all(
            list(course),
            lambda lesson: LessonSession(lesson, state, cli.runner_for(lesson), store),
            state,
            is_root=cli.is_root,
            report=show,
        )
    cli.say(
        f"{len(reports) - failed} of {len(reports)} lessons solved" + (f", {failed} failed" if failed else "")
    )
    return 1 if failed else 0


def cmd_reset(cli: Cli) -> int:
    lesson = cli.lesson()
    session = cli.session(lesson)
    if cli.args.step:
        step = session.step
        report = session.reset_step()
        cli.say(ui("step_reset", cli.lang, step=step.id if step else "?"))
    else:
        report = session.reset_lesson()
        cli.say(ui("reset_done", cli.lang, id=lesson.id))
    for item in report.removed:
        cli.say(f"  {ui('removed', cli.lang)}: {item}")
    for item in report.failed:
        cli.say(f"  {ui('not_removed', cli.lang)}: {item}")
    if not report.removed and not report.failed:
        cli.say(f"  {ui('nothing_to_reset', cli.lang)}")
    return 0 if report.ok else 1


def cmd_lint(cli: Cli) -> int:
    from .loader import lint_course

    target = cli.args.dir or cli.args.lessons_dir
    parsed, problems = lint_course(target)
    for problem in problems:
        cli.say(str(problem))
    lessons = len(parsed)
    if problems:
        cli.say(f"{_count(len(problems), 'problem')} in {_count(lessons, 'lesson')}")
        return 1
    cli.say(f"{_count(lessons, 'lesson')}, no problems")
    return 0


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def cmd_import(cli: Cli) -> int:
    from .killercoda import import_scenario
    from .loader import lint_course

    out_dir = cli.args.out or cli.args.lessons_dir
    report = import_scenario(cli.args.dir, out_dir, lesson_id=cli.args.id, force=cli.args.force)
    cli.say(f"imported {cli.args.dir} as lesson {report.lesson_id} in {report.directory}")
    for warning in report.warnings:
        cli.say(f"  warning: {warning}")
    _, problems = lint_course(report.directory)
    for problem in problems:
        cli.say(str(problem))
    return 1 if problems else 0


def cmd_progress(cli: Cli) -> int:
    store = cli.store()
    action = cli.args.action
    if action == "path":
        cli.say(str(store.path))
        return 0
    if action in ("export", "import") and cli.args.file is None:
        raise LessonError(f"progress {action} needs a FILE", f"sandbox lessons progress {action} FILE")
    if action == "export":
        store.export(cli.args.file)
        cli.say(f"progress exported to {cli.args.file}")
        return 0
    if action == "import":
        changed = store.merge_from(cli.args.file)
        cli.say(f"progress imported from {cli.args.file}: {len(changed)} lesson(s) updated")
        for warning in store.warnings:
            print(f"warning: {warning.render()}", file=cli.err)
        return 0
    try:
        progress = store.load()
    except ProgressCorrupt as err:
        print(f"warning: {err.render()}", file=cli.err)
        return 1
    for lesson_id, rec in sorted(progress.lessons.items()):
        done = sum(1 for s in rec.steps.values() if s.done_at)
        state = "complete" if rec.completed_at else ("in progress" if rec.started_at else "reset")
        cli.say(f"{lesson_id:<28} {state:<12} {done} step(s) done")
    return 0
