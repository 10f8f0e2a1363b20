"""``sandbox lessons`` commands for following a lesson: list, show, start, check, hint."""

from __future__ import annotations

import os
import socket
import threading
from typing import Any

from sandbox.errors import LessonError, SandboxError

from .cli_context import Cli
from .model import Lesson
from .runner import LessonSession, StepOutcome
from .ui import ui


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


def report_step(cli: Cli, lesson: Lesson, result: StepOutcome) -> None:
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
    report_step(cli, lesson, result)
    if not result.passed:
        cli.say(ui("next_hint", cli.lang, id=lesson.id))
    return 0 if result.passed else 1


def _watch(cli: Cli, lesson: Lesson) -> int:
    """Check once, then again whenever the engine reports a change, until the lesson is done.

    Events are read in a thread while the main thread waits on ``done`` (so Ctrl-C works);
    when the lesson is complete the reader is woken by shutting its socket down."""
    import http.client  # only here: it costs 40 ms of start-up (email, ssl)

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
            report_step(cli, lesson, result)
        last["message"] = "" if result.passed else message
        if result.finished:
            done.set()

    def trouble(err: SandboxError) -> None:
        print(f"sandbox lessons: {err.render()}", file=cli.err)

    session = cli.session(lesson, listener=listener, on_error=trouble)
    first = session.check()
    report_step(cli, lesson, first)
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


class _NoState:
    """For ``show``: progress is read, nothing on the engine is."""

    def __getattr__(self, name: str) -> Any:
        raise AttributeError(f"showing a lesson does not read the engine ({name})")


def _no_commands(line: str) -> tuple[int, str]:
    raise LessonError("showing a lesson runs no commands")
