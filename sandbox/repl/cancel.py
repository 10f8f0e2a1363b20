"""What Ctrl-C does to the command that is running: forward, then cut loose."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sandbox.errors import SandboxError

from .streams import Gate
from .tracking import Scope
from .worker import Step

FORWARDING = frozenset({"run", "start", "attach", "container run", "container start", "container attach"})
"""Commands attached to a container's main process: docker forwards SIGINT to it."""


@dataclass
class CommandCanceller:
    scope: Scope
    command: str
    """The docker subcommand (``run``, ``logs``), or "" for a shell command."""
    kill: Callable[[str, str], None]
    """``kill(container, signal)`` through the engine."""
    gate: Gate | None = None
    """The command's output: closed when it is cut loose, so nothing it prints after
    Ctrl-C lands on the next prompt."""

    def interrupt(self) -> Step:
        if self.command in FORWARDING and self.scope.containers:
            container = self.scope.containers[-1]
            try:
                self.kill(container, "INT")
            except SandboxError as err:
                step = self.drop()
                return Step(f"could not forward SIGINT ({err.message}); {step.message}", True)
            return Step(f"sent SIGINT to container {_short(container)} (Ctrl-C again to let go of it; "
                        "a PID 1 without a SIGINT handler ignores it)", False)
        return self.drop()

    def drop(self) -> Step:
        if self.gate is not None:
            self.gate.close()
        self.scope.drop()
        if self.command in FORWARDING and self.scope.containers:
            name = _short(self.scope.containers[-1])
            return Step(f"let go of container {name}; it may still run (`docker stop {name}` ends it)", True)
        return Step("cancelled", True)


def _short(ref: str) -> str:
    """A full id reads as docker prints ids: 12 characters; a name stays as it is."""
    return ref[:12] if len(ref) == 64 and all(c in "0123456789abcdef" for c in ref) else ref
