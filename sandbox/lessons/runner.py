"""The step flow of one lesson: setup, the current step, checks, hints, solutions, resets.

    session = LessonSession(lesson, ClientStateReader(client), CommandRunner(...), store)
    session.start()                  # names free? snapshot, setup, first step
    session.check()                  # on Enter: Pass advances to the next step
    session.on_event(event)          # on engine events: the same check, debounced
    session.hint()                   # nudge, then the command, then the solution
    session.solve_step()             # the reference solution, then the check
    session.reset_step() / reset_lesson()

Front ends (TUI, REPL, CLI) hold a session and show what it returns; it never prints.
Everything it learns goes to the progress store at once, so closing the terminal at any
moment loses nothing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sandbox.errors import CommandFailed, LessonError, SandboxError

from .checks import Fail, Outcome, Pass
from .checks.base import CheckContext
from .checks.messages import say
from .commands import RunCommand
from .debounce import Debouncer, TimerFactory, _thread_timer
from .inventory import Inventory, ResetReport, conflicts, reset_to
from .model import Command, Lesson, Step
from .progress import LessonRecord, Progress, ProgressStore
from .state import ResourceRemover, StateReader
from .text import Text

RELEVANT_EVENTS = frozenset({"container", "image", "volume", "network"})
TIERS = ("nudge", "command", "solution")


@dataclass(frozen=True)
class StepOutcome:
    index: int
    step_id: str
    outcome: Outcome
    advanced: bool = False
    """The step passed and the session moved to the next one."""
    finished: bool = False
    """That was the last step: the lesson is complete."""

    @property
    def passed(self) -> bool:
        return self.outcome.passed


@dataclass(frozen=True)
class Hint:
    tier: int
    """1 nudge, 2 command, 3 solution."""
    kind: str
    text: Text


@dataclass
class CommandLog:
    """What the lesson's own commands printed (setup, solutions), for front ends to show."""

    entries: list[tuple[str, int, str]] = field(default_factory=list)

    def add(self, line: str, code: int, output: str) -> None:
        self.entries.append((line, code, output))


class LessonSession:
    def __init__(
        self,
        lesson: Lesson,
        state: StateReader,
        run_command: RunCommand,
        progress: ProgressStore,
        *,
        remover: ResourceRemover | None = None,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        debounce: float = 0.3,
        timer: TimerFactory = _thread_timer,
        listener: Callable[[StepOutcome], None] | None = None,
        on_error: Callable[[SandboxError], None] | None = None,
    ) -> None:
        self.lesson = lesson
        self.state = state
        self.run_command = run_command
        self.store = progress
        self.remover: ResourceRemover | None = remover if remover is not None else _as_remover(state)
        self.clock = clock
        self.monotonic = monotonic
        self.sleep = sleep
        self.listener = listener
        self.on_error = on_error
        """Told about failures of event-driven re-checks (engine gone, a setup that failed),
        which have no caller to raise to."""
        self.log = CommandLog()
        self._lock = threading.RLock()
        self._debouncer = Debouncer(debounce, self._recheck, timer=timer, clock=monotonic)
        self._record = progress.load_or_recover().lesson(lesson.id)

    # -- where we are -------------------------------------------------------------------------

    @property
    def record(self) -> LessonRecord:
        return self._record

    @property
    def started(self) -> bool:
        return self._record.started_at is not None and self._record.snapshot is not None

    @property
    def completed(self) -> bool:
        return self._record.started_at is not None and self._record.current is None

    @property
    def index(self) -> int | None:
        """The current step's index; None before start and after the last step."""
        if not self.started or self._record.current is None:
            return None
        found = self.lesson.step_index(self._record.current)
        if found is not None:
            return found
        # The lesson changed since: resume at the first step not done.
        return next((i for i, s in enumerate(self.lesson.steps) if not self.done(s)), 0)

    @property
    def step(self) -> Step | None:
        i = self.index
        return None if i is None else self.lesson.steps[i]

    def done(self, step: Step) -> bool:
        record = self._record.steps.get(step.id)
        return record is not None and record.done_at is not None

    # -- starting ---------------------------------------------------------------------------

    def start(self) -> None:
        """Begin the lesson, or resume it where it was. A name the lesson needs that is
        held by something else raises ResourceConflict and changes nothing."""
        with self._lock:
            if self.completed:
                raise self._complete_error()
            if self.started:
                return
            found = conflicts(self.lesson.resources, self.state)
            if found:
                raise found[0]
            snapshot = Inventory.take(self.state).to_json()
            now = self.clock()

            def begin(rec: LessonRecord) -> None:
                rec.started_at, rec.snapshot = now, snapshot
                rec.current = self.lesson.steps[0].id
                rec.steps = {}

            self._save(begin)
            self._run_all("setup", self.lesson.setup)
            self._begin_step(0)

    def _begin_step(self, index: int) -> None:
        step = self.lesson.steps[index]
        snapshot = Inventory.take(self.state).to_json()
        now = self.clock()

        def begin(rec: LessonRecord) -> None:
            rec.current, rec.step_started_at, rec.step_snapshot = step.id, now, snapshot

        self._save(begin)
        self._run_all(f"setup of step {step.id}", step.setup)

    def _require_started(self) -> Step:
        if not self.started:
            self.start()
        step = self.step
        if step is None:
            raise self._complete_error()
        return step

    def _complete_error(self) -> LessonError:
        return LessonError(
            f"lesson {self.lesson.id} is complete", f"`sandbox lessons reset {self.lesson.id}` starts it over"
        )

    # -- checking -----------------------------------------------------------------------------

    def context(self) -> CheckContext:
        rec = self._record
        return CheckContext(
            self.state, self.lesson.directory, rec.step_started_at or 0.0, rec.started_at or 0.0, self.clock
        )

    def evaluate(self) -> Outcome:
        """The current step's check, without moving on (what ``solve --all`` asks first)."""
        step = self._require_started()
        if step.check is None:
            return Pass(say("no_check"))
        outcome: Outcome = step.check.evaluate(self.context())
        return outcome

    def check(self) -> StepOutcome:
        """Check the current step; when it passes, record it and go to the next step."""
        with self._lock:
            step = self._require_started()
            index = self.lesson.steps.index(step)
            outcome = self.evaluate()
            if isinstance(outcome, Fail):
                return StepOutcome(index, step.id, outcome)
            return self._passed(index, outcome, solved=False)

    def _passed(self, index: int, outcome: Outcome, *, solved: bool) -> StepOutcome:
        step = self.lesson.steps[index]
        now = self.clock()
        last = index + 1 >= len(self.lesson.steps)

        def mark(rec: LessonRecord) -> None:
            done = rec.step(step.id)
            done.done_at = done.done_at or now
            done.solved = done.solved or solved
            if last:
                rec.current = None
                rec.completed_at = rec.completed_at or now

        self._save(mark)
        if not last:
            self._begin_step(index + 1)
        return StepOutcome(index, step.id, outcome, advanced=True, finished=last)

    def on_event(self, event: dict[str, Any]) -> None:
        """Feed engine events here; the step is re-checked once a burst has passed and the
        outcome goes to ``listener``."""
        if str(event.get("Type", "")) in RELEVANT_EVENTS and self.started and not self.completed:
            self._debouncer.trigger()

    def _recheck(self) -> None:
        if self.listener is None or not self.started or self.completed:
            return
        try:
            result = self.check()
        except SandboxError as err:
            if self.completed or not self.started:
                return  # finished or reset meanwhile: nothing to report
            if self.on_error is None:
                raise
            self.on_error(err)
            return
        self.listener(result)

    def close(self) -> None:
        self._debouncer.cancel()

    # -- hints ------------------------------------------------------------------------------------

    def tiers(self, step: Step) -> list[Hint]:
        """The hint tiers this step has: a nudge, the command, the solution."""
        out: list[Hint] = []
        if step.hints is not None:
            out.append(Hint(1, "nudge", step.hints.nudge))
        command = (step.hints.command if step.hints else None) or step.try_
        if command:
            out.append(Hint(2, "command", Text.same(command)))
        if step.hints is not None and step.hints.solution is not None:
            out.append(Hint(3, "solution", step.hints.solution))
        elif step.solve:
            out.append(Hint(3, "solution", Text.same("\n".join(c.run for c in step.solve))))
        return out

    def hint(self) -> Hint | None:
        """The next tier for the current step (None when all are shown)."""
        with self._lock:
            step = self._require_started()
            tiers = self.tiers(step)
            shown = self._record.step(step.id).hints
            if shown >= len(tiers):
                return None

            def reveal(rec: LessonRecord) -> None:
                rec.step(step.id).hints = shown + 1

            self._save(reveal)
            return tiers[shown]

    def hints_shown(self) -> list[Hint]:
        step = self.step
        if step is None:
            return []
        return self.tiers(step)[: self._record.step(step.id).hints]

    # -- reference solutions ----------------------------------------------------------------------

    def solve_step(self) -> StepOutcome:
        """Run the current step's reference solution, then wait (up to ``settle``) for its
        check to pass. A solution command that fails raises CommandFailed."""
        with self._lock:
            step = self._require_started()
            index = self.lesson.steps.index(step)
            self._run_all(f"solution of step {step.id}", step.solve)
            outcome = self._settle(step)
            if isinstance(outcome, Fail):
                return StepOutcome(index, step.id, outcome)
            return self._passed(index, outcome, solved=True)

    def _settle(self, step: Step) -> Outcome:
        deadline = self.monotonic() + step.settle
        delay = 0.05
        while True:
            outcome = self.evaluate()
            if isinstance(outcome, Pass) or self.monotonic() >= deadline:
                return outcome
            self.sleep(delay)
            delay = min(delay * 2, 0.5)

    def solve_lesson(self) -> list[StepOutcome]:
        """Every remaining step by its reference solution; stops at the first that fails."""
        results: list[StepOutcome] = []
        self._require_started()
        while self.step is not None:
            result = self.solve_step()
            results.append(result)
            if not result.passed:
                break
        return results

    # -- resets -----------------------------------------------------------------------------------

    def reset_step(self) -> ResetReport:
        """Back to how things were when this step began: what was made since is removed,
        the step's setup runs again, its hints start over."""
        with self._lock:
            step = self._require_started()
            report = self._reset_to(self._record.step_snapshot)

            def clear(rec: LessonRecord) -> None:
                rec.steps.pop(step.id, None)

            self._save(clear)
            self._begin_step(self.lesson.steps.index(step))
            return report

    def reset_lesson(self) -> ResetReport:
        """Remove everything the lesson made and forget where the learner was (a lesson
        once completed stays marked completed)."""
        with self._lock:
            self._debouncer.cancel()
            report = self._reset_to(self._record.snapshot)

            def clear(rec: LessonRecord) -> None:
                rec.started_at = rec.current = rec.step_started_at = None
                rec.snapshot = rec.step_snapshot = None
                rec.steps = {}

            self._save(clear)
            return report

    def _reset_to(self, snapshot: dict[str, Any] | None) -> ResetReport:
        if snapshot is None:
            return ResetReport()
        if self.remover is None:
            raise LessonError("this session cannot remove anything", "give LessonSession a ResourceRemover")
        return reset_to(Inventory.from_json(snapshot), self.state, self.remover)

    # -- plumbing ---------------------------------------------------------------------------------

    def run(self, line: str) -> tuple[int, str]:
        """A learner's command, through the same seam as the lesson's own."""
        return self.run_command(line)

    def _run_all(self, what: str, commands: list[Command]) -> None:
        for command in commands:
            code, output = self.run_command(command.run)
            self.log.add(command.run, code, output)
            if not command.accepts(code):
                raise CommandFailed(what, command.run, code, output, str(command.expect_exit))

    def _save(self, change: Callable[[LessonRecord], None]) -> None:
        lesson_id = self.lesson.id

        def apply(progress: Progress) -> None:
            change(progress.lesson(lesson_id))

        self._record = self.store.update(apply).lesson(lesson_id)


def _as_remover(state: StateReader) -> ResourceRemover | None:
    needed = ("remove_container", "remove_image", "tag_image", "remove_volume", "remove_network")
    return state if all(hasattr(state, n) for n in needed) else None  # type: ignore[return-value]
