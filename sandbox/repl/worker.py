"""Running one command in a worker thread, so Ctrl-C cancels the command, not the shell.

The main thread waits for the worker; Python delivers SIGINT to the main thread as
KeyboardInterrupt, and the wait turns it into a cancel request:

    1st Ctrl-C   ``canceller.interrupt()`` — ``docker run`` forwards SIGINT to its
                 container (what docker's --sig-proxy does); other commands are cut
                 loose: their connections cut and their output silenced
    then         if a signalled command still runs after ``grace`` seconds, or on a 2nd
                 Ctrl-C, ``canceller.drop()`` cuts it loose
    finally      a command still running ``after_drop`` seconds later is left behind
                 (a daemon thread, silenced) and the prompt comes back
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

GRACE = 3.0
"""Seconds a container gets to act on a forwarded SIGINT before the command lets go."""
AFTER_DROP = 0.5
"""Seconds a command whose connections were cut gets to notice and return."""
POLL = 0.05


@dataclass(frozen=True)
class Step:
    message: str
    dropped: bool
    """The command was cut loose (not just signalled): it should end at once."""


class Canceller(Protocol):
    def interrupt(self) -> Step:
        """First Ctrl-C: forward it, or cut the command loose."""

    def drop(self) -> Step:
        """Cut the command loose."""


@dataclass
class Outcome:
    code: int | None = None
    error: BaseException | None = None
    """What the command raised (rendered by the loop, never swallowed)."""
    cancelled: bool = False
    abandoned: bool = False
    notes: tuple[str, ...] = ()


def run_cancellable(fn: Callable[[], int], canceller: Canceller, *, grace: float = GRACE,
                    after_drop: float = AFTER_DROP, notify: Callable[[str], None] = lambda _msg: None) -> Outcome:
    box: dict[str, object] = {}
    done = threading.Event()

    def target() -> None:
        try:
            box["code"] = fn()
        except BaseException as err:  # noqa: BLE001 — handed to the main thread, which reports it
            box["error"] = err
        finally:
            done.set()

    worker = threading.Thread(target=target, name="repl-command", daemon=True)
    outcome = Outcome()
    notes: list[str] = []
    deadline: float | None = None
    stage = 0  # 0 running, 1 interrupted, 2 dropped

    def take(step: Step) -> tuple[int, float]:
        if step.message:
            notes.append(step.message)
            notify(step.message)
        return (2, time.monotonic() + after_drop) if step.dropped else (1, time.monotonic() + grace)

    def abandon(message: str) -> None:
        outcome.abandoned = True
        notes.append(message)
        notify(message)

    started = False
    while not done.is_set():
        try:
            if not started:
                # Started inside the try: a Ctrl-C that lands while the thread is
                # starting must still cancel the command it started.
                started = True
                worker.start()
                continue
            done.wait(POLL)
            if deadline is not None and not done.is_set() and time.monotonic() >= deadline:
                if stage == 1:
                    stage, deadline = take(canceller.drop())
                else:
                    abandon("the command did not stop; it was left behind, silenced")
                    break
        except KeyboardInterrupt:
            outcome.cancelled = True
            if stage == 0:
                stage, deadline = take(canceller.interrupt())
            elif stage == 1:
                stage, deadline = take(canceller.drop())
            else:
                abandon("left the command behind, silenced")
                break
    if done.is_set():
        outcome.code = box.get("code")  # type: ignore[assignment]
        outcome.error = box.get("error")  # type: ignore[assignment]
    outcome.notes = tuple(notes)
    return outcome
