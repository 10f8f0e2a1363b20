"""What the shell's commands run with, and how a command is run.

``ShellContext`` is handed to every builtin: the command client (whose transport tracks
what a command opens, for Ctrl-C), the console, the streams commands write to, the
name cache and the session snapshot. ``run_docker`` and ``run_lessons`` are seams: the
real grammar and lessons CLI in production, fakes in tests.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

from sandbox.errors import SandboxError

from .cancel import CommandCanceller
from .console import Console
from .names import NameCache
from .snapshot import Snapshot
from .streams import Gate, GatedText
from .tracking import Scope, TrackingTransport
from .worker import GRACE, Outcome, run_cancellable

DockerMain = Callable[..., int]
"""``main(argv, client=…, stdout=…, stderr=…, stdin=…, env=…) -> int``."""
LessonsMain = Callable[..., int]
"""``main(argv, docker_main=…, stdout=…, stderr=…, env=…) -> int``."""


@dataclass
class ShellContext:
    client: Any
    console: Console
    stdout: TextIO
    stderr: TextIO
    stdin: TextIO
    """The terminal, for interactive commands only; others get an empty stdin."""
    run_docker: DockerMain
    run_lessons: LessonsMain
    names: NameCache
    snapshot: Snapshot
    env: Mapping[str, str] = field(default_factory=dict)
    transport: TrackingTransport | None = None
    grace: float = GRACE
    last_container: str | None = None
    """The container the last command worked on: what ``show`` draws without a name."""
    after_command: Callable[[], None] = lambda: None
    """Refresh what may have changed (names, the toolbar)."""

    @contextlib.contextmanager
    def scope(self) -> Iterator[Scope]:
        if self.transport is None:
            yield Scope()
            return
        scope = self.transport.begin()
        try:
            yield scope
        finally:
            self.transport.end(scope)

    def run_in_worker(self, work: Callable[[TextIO, TextIO], int], command: str = "") -> Outcome:
        """Run ``work(stdout, stderr)`` in a worker thread; Ctrl-C cancels it."""
        gate = Gate()
        out, err = GatedText(self.stdout, gate), GatedText(self.stderr, gate)
        with self.scope() as scope:
            canceller = CommandCanceller(scope, command, self._kill, gate)
            outcome = run_cancellable(lambda: work(out, err), canceller, grace=self.grace, notify=self.console.note)
            if outcome.cancelled or outcome.abandoned:
                gate.close()
            if scope.containers:
                self.last_container = scope.containers[-1]
        self.after_command()
        return outcome

    def _kill(self, container: str, signal: str) -> None:
        self.client.containers.kill(container, signal=signal)

    def docker(self, argv: Sequence[str], *, interactive: bool = False) -> int:
        """Run a docker command line; interactive ones in this thread with the terminal."""
        self.snapshot.ensure()
        if interactive:
            with self.scope() as scope:
                code = self.run_docker(list(argv), client=self.client, stdout=self.stdout, stderr=self.stderr,
                                       stdin=self.stdin, env=dict(self.env))
                if scope.containers:
                    self.last_container = scope.containers[-1]
            self.after_command()
            return code
        command = _subcommand(argv)
        outcome = self.run_in_worker(
            lambda out, err: self.run_docker(list(argv), client=self.client, stdout=out, stderr=err,
                                             stdin=io.StringIO(""), env=dict(self.env)), command)
        return self.settle(outcome, f"docker {command}".strip())

    def settle(self, outcome: Outcome, what: str) -> int:
        """The exit code of a finished run; errors it raised are reported, not lost."""
        if outcome.cancelled:
            # Whatever a command cut loose raises (a read on a socket we shut down) is
            # the cancellation itself, already reported by the worker's notes.
            return 130
        if outcome.error is not None:
            if isinstance(outcome.error, SandboxError):
                self.console.error(outcome.error)
            elif isinstance(outcome.error, Exception):
                self.console.internal_error(what, outcome.error)
            else:
                raise outcome.error
            return 1
        if outcome.abandoned or outcome.code is None:
            return 130
        return outcome.code


def _subcommand(argv: Sequence[str]) -> str:
    """``run`` for ``docker run …``, ``container run`` for the group form."""
    from .grammar import subcommand_names

    words = [w for w in argv if not w.startswith("-")]
    if words and words[0] == "docker":
        words = words[1:]
    names = subcommand_names()
    if not words or words[0] not in names:
        return ""
    if names[words[0]] and len(words) > 1 and words[1] in names[words[0]]:
        return f"{words[0]} {words[1]}"
    return words[0]
