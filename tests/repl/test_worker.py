"""Commands in a worker thread; Ctrl-C (a KeyboardInterrupt in the main thread) cancels."""

from __future__ import annotations

import _thread
import threading

from sandbox.repl.worker import Step, run_cancellable


class Recorder:
    def __init__(self, release: threading.Event, forward: bool = True) -> None:
        self.calls: list[str] = []
        self.release = release
        self.forward = forward

    def interrupt(self) -> Step:
        self.calls.append("interrupt")
        if self.forward:
            return Step("sent SIGINT", False)
        self.release.set()
        return Step("cancelled", True)

    def drop(self) -> Step:
        self.calls.append("drop")
        self.release.set()
        return Step("let go", True)


def interrupt_when(started: threading.Event) -> None:
    def fire() -> None:
        started.wait(5)
        _thread.interrupt_main()

    threading.Thread(target=fire, daemon=True).start()


def test_a_command_returns_its_code() -> None:
    outcome = run_cancellable(lambda: 3, Recorder(threading.Event()))
    assert (outcome.code, outcome.cancelled, outcome.error) == (3, False, None)


def test_an_exception_is_handed_back_not_swallowed() -> None:
    def boom() -> int:
        raise ValueError("bad")

    outcome = run_cancellable(boom, Recorder(threading.Event()))
    assert isinstance(outcome.error, ValueError)


def test_ctrl_c_forwards_then_lets_go_after_the_grace_time() -> None:
    started, release = threading.Event(), threading.Event()

    def command() -> int:
        started.set()
        release.wait(10)
        return 0

    recorder = Recorder(release)
    notes: list[str] = []
    interrupt_when(started)
    outcome = run_cancellable(command, recorder, grace=0.0, notify=notes.append)
    assert recorder.calls == ["interrupt", "drop"]
    assert outcome.cancelled and not outcome.abandoned
    assert notes == ["sent SIGINT", "let go"]


def test_ctrl_c_on_a_command_that_is_cut_loose_at_once() -> None:
    started, release = threading.Event(), threading.Event()

    def command() -> int:
        started.set()
        release.wait(10)
        raise ConnectionResetError("cut")

    recorder = Recorder(release, forward=False)
    interrupt_when(started)
    outcome = run_cancellable(command, recorder, grace=60)
    assert recorder.calls == ["interrupt"]
    assert outcome.cancelled and isinstance(outcome.error, ConnectionResetError)


def test_a_command_that_ignores_everything_is_left_behind() -> None:
    started, never = threading.Event(), threading.Event()

    def stubborn() -> int:
        started.set()
        never.wait(30)
        return 0

    class Deaf:
        def interrupt(self) -> Step:
            return Step("cancelled", True)

        def drop(self) -> Step:
            return Step("cancelled", True)

    interrupt_when(started)
    outcome = run_cancellable(stubborn, Deaf(), after_drop=0.0)
    never.set()
    assert outcome.abandoned and outcome.code is None

