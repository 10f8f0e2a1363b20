"""``sandbox lessons …``: the lessons from a plain terminal, and what CI runs.

    sandbox lessons list
    sandbox lessons show LESSON [--step N]
    sandbox lessons start LESSON
    sandbox lessons check LESSON [--watch]
    sandbox lessons hint LESSON
    sandbox lessons solve LESSON [--step] | solve --all
    sandbox lessons reset LESSON [--step]
    sandbox lessons lint [DIR]
    sandbox lessons import-killercoda DIR [--out DIR] [--id ID] [--force]
    sandbox lessons progress [show | path | export FILE | import FILE]

Common options: ``--lang en|zh``, ``--lessons-dir DIR``, ``--progress FILE``, and
``--docker-cli PATH`` to run the lessons' docker lines with another docker CLI (the real
one, against a real dockerd). The engine is the one ``DOCKER_HOST`` names.
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import sys
import tempfile
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from sandbox.errors import LessonError, ProgressCorrupt, SandboxError

from .commands import CommandRunner, DockerMain, RunCommand
from .loader import Course
from .model import Lesson
from .progress import ProgressStore, default_path
from .runner import LessonSession, StepOutcome
from .state import StateReader
from .text import LANGS, check_lang
from .ui import ui


def default_lessons_dir(env: Mapping[str, str]) -> Path:
    if env.get("SANDBOX_LESSONS"):
        return Path(env["SANDBOX_LESSONS"])
    return Path(__file__).resolve().parents[2] / "lessons"


def _default_lang(env: Mapping[str, str]) -> str:
    chosen = env.get("SANDBOX_LANG") or ""
    if chosen in LANGS:
        return chosen
    return "zh" if (env.get("LANG") or "").startswith("zh") else "en"


def _options(env: Mapping[str, str], *, top: bool) -> argparse.ArgumentParser:
    """The common options. Subcommands repeat them without defaults (SUPPRESS), so
    ``--lang zh`` works before or after the subcommand without one overwriting the other."""
    opts = argparse.ArgumentParser(add_help=False)

    def default(value: object) -> object:
        return value if top else argparse.SUPPRESS

    opts.add_argument("--lang", default=default(_default_lang(env)), choices=LANGS)
    opts.add_argument("--lessons-dir", type=Path, default=default(default_lessons_dir(env)))
    opts.add_argument(
        "--progress", type=Path, default=default(None), help="progress file (default: per user)"
    )
    opts.add_argument("--docker-cli", default=default(None), help="run docker lines with this docker CLI")
    return opts


def _parser(env: Mapping[str, str]) -> argparse.ArgumentParser:
    common = _options(env, top=False)
    parser = argparse.ArgumentParser(
        prog="sandbox lessons",
        parents=[_options(env, top=True)],
        description="Lessons: list, follow, check, solve, reset, lint, import.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("list", parents=[common], help="every lesson with your progress")
    p = sub.add_parser("show", parents=[common], help="a lesson's steps and the current step's text")
    p.add_argument("lesson")
    p.add_argument("--step", default=None, help="a step's number or id")
    p = sub.add_parser("start", parents=[common], help="begin a lesson (or resume it)")
    p.add_argument("lesson")
    p = sub.add_parser("check", parents=[common], help="check the current step against the engine")
    p.add_argument("lesson")
    p.add_argument("--watch", action="store_true", help="re-check whenever the engine reports a change")
    p = sub.add_parser("hint", parents=[common], help="the next hint for the current step")
    p.add_argument("lesson")
    p = sub.add_parser("solve", parents=[common], help="run reference solutions")
    p.add_argument("lesson", nargs="?")
    p.add_argument("--step", action="store_true", help="only the current step")
    p.add_argument("--all", action="store_true", help="every lesson, each check before and after (CI)")
    p = sub.add_parser("reset", parents=[common], help="remove what a lesson made, and nothing else")
    p.add_argument("lesson")
    p.add_argument("--step", action="store_true", help="only what the current step made")
    p = sub.add_parser("lint", parents=[common], help="validate lesson folders")
    p.add_argument("dir", nargs="?", type=Path)
    p = sub.add_parser("import-killercoda", parents=[common], help="turn a Killercoda scenario into a lesson")
    p.add_argument("dir", type=Path)
    p.add_argument(
        "--out", type=Path, default=None, help="where to put the lesson (default: the lessons dir)"
    )
    p.add_argument("--id", default=None)
    p.add_argument("--force", action="store_true", help="replace an earlier import")
    p = sub.add_parser("progress", parents=[common], help="show, export or import your progress")
    p.add_argument("action", nargs="?", default="show", choices=("show", "path", "export", "import"))
    p.add_argument("file", nargs="?", type=Path)
    return parser


@dataclass
class Cli:
    args: argparse.Namespace
    out: TextIO
    err: TextIO
    env: Mapping[str, str]
    state: StateReader | None = None
    run_command: RunCommand | None = None
    docker_main: DockerMain | None = None
    is_root: bool = False
    _runners: list[CommandRunner] = field(default_factory=list)

    @property
    def lang(self) -> str:
        return check_lang(self.args.lang)

    def say(self, text: str = "") -> None:
        print(text, file=self.out)

    # -- what commands need, made on demand ----------------------------------------------------

    def store(self) -> ProgressStore:
        store = ProgressStore(self.args.progress or default_path(self.env))
        return store

    def engine_state(self) -> StateReader:
        if self.state is None:
            from sandbox.client import EngineClient

            from .client_state import ClientStateReader

            self.state = ClientStateReader(EngineClient(env=self.env), env=self.env)
        return self.state

    def runner_for(self, lesson: Lesson) -> RunCommand:
        if self.run_command is not None:
            return self.run_command
        client = getattr(self.engine_state(), "client", None)
        runner = CommandRunner(
            cwd=lesson.directory,
            docker_main=self.docker_main,
            docker_cli=self.args.docker_cli,
            docker_host=getattr(client, "address", None),
            env=self.env,
            client=client,
        )
        self._runners.append(runner)
        return runner

    def session(
        self,
        lesson: Lesson,
        store: ProgressStore | None = None,
        listener: Callable[[StepOutcome], None] | None = None,
    ) -> LessonSession:
        store = store or self.store()
        session = LessonSession(
            lesson, self.engine_state(), self.runner_for(lesson), store, listener=listener
        )
        for warning in store.warnings:
            print(f"warning: {warning.render()}", file=self.err)
        return session

    def course(self) -> Course:
        from .loader import load_course

        return load_course(self.args.lessons_dir)

    def lesson(self) -> Lesson:
        return self.course().get(self.args.lesson)

    def close(self) -> None:
        for runner in self._runners:
            runner.close()


# -- commands ---------------------------------------------------------------------------------------


def cmd_list(cli: Cli) -> int:
    progress = cli.store().load_or_recover()
    for lesson in cli.course():
        rec = progress.lessons.get(lesson.id)
        done = sum(1 for s in lesson.steps if rec and rec.steps.get(s.id) and rec.steps[s.id].done_at)
        mark = "✓" if rec and rec.completed_at else ("▶" if rec and rec.started_at else " ")
        cli.say(f"{mark} {lesson.id:<28} {lesson.title.pick(cli.lang):<40} {done}/{len(lesson.steps)}")
    return 0


def _step_list(cli: Cli, lesson: Lesson, session: LessonSession) -> None:
    cli.say(f"{ui('steps', cli.lang)}:")
    current = session.index
    for i, step in enumerate(lesson.steps):
        mark = "✓" if session.done(step) else ("▶" if i == current else " ")
        cli.say(f"  {mark} {i + 1}. {lesson.step_title(i, cli.lang)}")


def _show_step(cli: Cli, lesson: Lesson, index: int) -> None:
    step = lesson.steps[index]
    title = lesson.step_title(index, cli.lang)
    cli.say(f"--- {ui('step', cli.lang)} {index + 1}/{len(lesson.steps)}: {title} ---")
    cli.say(lesson.read(step.text, cli.lang).rstrip())
    if step.try_:
        cli.say(f"\n{ui('try', cli.lang)}: {step.try_}")


def cmd_show(cli: Cli) -> int:
    lesson = cli.lesson()
    session = LessonSession(lesson, _NoState(), _no_commands, cli.store())
    cli.say(f"{lesson.id} — {lesson.title.pick(cli.lang)}")
    cli.say(lesson.summary.pick(cli.lang))
    if lesson.requires:
        cli.say(f"{ui('requires', cli.lang)}: {', '.join(lesson.requires)}")
    _step_list(cli, lesson, session)
    cli.say()
    if cli.args.step is not None:
        index = _step_arg(lesson, cli.args.step)
    elif session.index is not None:
        index = session.index
    else:
        if lesson.intro is not None:
            cli.say(lesson.read(lesson.intro, cli.lang).rstrip())
            cli.say()
        cli.say(ui("not_started", cli.lang, id=lesson.id))
        return 0
    _show_step(cli, lesson, index)
    return 0


def _step_arg(lesson: Lesson, value: str) -> int:
    if value.isdigit() and 1 <= int(value) <= len(lesson.steps):
        return int(value) - 1
    found = lesson.step_index(value)
    if found is None:
        raise LessonError(
            f"lesson {lesson.id} has no step {value!r}",
            f"steps are 1..{len(lesson.steps)} or ids: {', '.join(s.id for s in lesson.steps)}",
        )
    return found


def cmd_start(cli: Cli) -> int:
    lesson = cli.lesson()
    session = cli.session(lesson)
    session.start()
    if lesson.intro is not None and session.index == 0:
        cli.say(lesson.read(lesson.intro, cli.lang).rstrip())
        cli.say()
    if session.index is not None:
        _show_step(cli, lesson, session.index)
    return 0


def _report(cli: Cli, lesson: Lesson, result: StepOutcome) -> None:
    if result.passed:
        cli.say(f"✓ {result.step_id}: {ui('passed', cli.lang)}")
        if result.finished:
            cli.say(ui("complete", cli.lang, id=lesson.id))
            if lesson.finish is not None:
                cli.say(lesson.read(lesson.finish, cli.lang).rstrip())
        else:
            cli.say()
            _show_step(cli, lesson, result.index + 1)
    else:
        cli.say(f"✗ {result.step_id}: {result.outcome.render(cli.lang)}")


def cmd_check(cli: Cli) -> int:
    lesson = cli.lesson()
    if cli.args.watch:
        return _watch(cli, lesson)
    session = cli.session(lesson)
    result = session.check()
    _report(cli, lesson, result)
    if not result.passed:
        cli.say(ui("next_hint", cli.lang, id=lesson.id))
    return 0 if result.passed else 1


def _watch(cli: Cli, lesson: Lesson) -> int:
    """Check once, then again whenever the engine reports a change, until the lesson is done.

    Events are read in a thread while the main thread waits on ``done`` (so Ctrl-C works);
    when the lesson is complete the reader is woken by shutting its socket down."""
    state = cli.engine_state()
    stream = state.subscribe()
    done = threading.Event()
    failures: list[BaseException] = []
    last = {"message": ""}

    def listener(result: StepOutcome) -> None:
        # A burst can be caught half-way (a stop still waiting for its SIGKILL): say each
        # distinct failure once instead of repeating it on every event.
        message = result.outcome.render(cli.lang)
        if result.passed or message != last["message"]:
            _report(cli, lesson, result)
        last["message"] = "" if result.passed else message
        if result.finished:
            done.set()

    session = cli.session(lesson, listener=listener)
    first = session.check()
    _report(cli, lesson, first)
    last["message"] = "" if first.passed else first.outcome.render(cli.lang)
    if first.finished:
        stream.close()
        return 0
    cli.say(ui("watching", cli.lang))

    def pump() -> None:
        try:
            for event in stream:
                session.on_event(event)
        except (SandboxError, OSError, ValueError, http.client.HTTPException) as err:
            # The stream broke, or was shut down under us once the lesson was done (the
            # client lets http.client's IncompleteRead through in that case).
            failures.append(err)
        finally:
            done.set()

    reader = threading.Thread(target=pump, name="lesson-events", daemon=True)
    reader.start()
    try:
        while not done.wait(0.5):
            pass
    finally:
        session.close()
        _wake(stream)
        reader.join(timeout=2.0)
        stream.close()
    if not session.completed and failures and isinstance(failures[0], SandboxError):
        raise failures[0]
    return 0 if session.completed else 1


def _wake(stream: Any) -> None:
    """Make a read blocked on ``stream`` return. Closing a buffered socket file from another
    thread would wait for the reader's lock; shutting the socket down ends its recv()."""
    try:
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError):
        stream.close()  # not a socket (the test double): closing it is what wakes it
        return
    sock = socket.socket(fileno=os.dup(fd))
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already shut down by the engine: the reader is awake anyway
    finally:
        sock.close()


def cmd_hint(cli: Cli) -> int:
    lesson = cli.lesson()
    session = cli.session(lesson)
    hint = session.hint()
    if hint is None:
        cli.say(ui("no_more_hints", cli.lang, id=lesson.id))
        return 0
    total = len(session.tiers(session.step)) if session.step else hint.tier
    cli.say(
        f"{ui('hint', cli.lang, n=len(session.hints_shown()), total=total, kind=ui(hint.kind, cli.lang))}:"
    )
    cli.say(hint.text.pick(cli.lang))
    return 0


def cmd_solve(cli: Cli) -> int:
    if cli.args.all:
        return _solve_all(cli)
    if not cli.args.lesson:
        raise LessonError("name a lesson, or use --all", "sandbox lessons solve LESSON [--step] | --all")
    lesson = cli.lesson()
    session = cli.session(lesson)
    results = [session.solve_step()] if cli.args.step else session.solve_lesson()
    for result in results:
        _report(cli, lesson, result)
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


COMMANDS: dict[str, Callable[[Cli], int]] = {
    "list": cmd_list,
    "show": cmd_show,
    "start": cmd_start,
    "check": cmd_check,
    "hint": cmd_hint,
    "solve": cmd_solve,
    "reset": cmd_reset,
    "lint": cmd_lint,
    "import-killercoda": cmd_import,
    "progress": cmd_progress,
}


def main(
    argv: list[str] | None = None,
    *,
    docker_main: DockerMain | None = None,
    state: StateReader | None = None,
    run_command: RunCommand | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    env: Mapping[str, str] | None = None,
    is_root: bool | None = None,
) -> int:
    """The composition root wires ``docker_main`` (our docker grammar); tests inject
    ``state`` and ``run_command`` instead of an engine."""
    environ = dict(os.environ if env is None else env)
    out, err = stdout or sys.stdout, stderr or sys.stderr
    try:
        args = _parser(environ).parse_args(sys.argv[1:] if argv is None else argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    cli = Cli(
        args,
        out,
        err,
        environ,
        state,
        run_command,
        docker_main,
        os.geteuid() == 0 if is_root is None else is_root,
    )
    try:
        return COMMANDS[args.command](cli)
    except SandboxError as error:
        print(f"sandbox lessons: {error.render()}", file=err)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`… | head`): stop quietly, as other CLI tools do.
        _silence(out)
        return 141
    finally:
        cli.close()


def _silence(stream: TextIO) -> None:
    """Point a broken stdout at /dev/null so the interpreter's final flush does not fail too."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())
    except (OSError, ValueError, AttributeError):
        pass  # not a real file (tests): nothing will flush it


class _NoState:
    """For ``show``: progress is read, nothing on the engine is."""

    def __getattr__(self, name: str) -> Any:
        raise AttributeError(f"showing a lesson does not read the engine ({name})")


def _no_commands(line: str) -> tuple[int, str]:
    raise LessonError("showing a lesson runs no commands")
