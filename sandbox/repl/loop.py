"""The read-run loop. It never dies on a bad command: whatever a line does wrong is
printed under it and the prompt comes back. Ctrl-C at the prompt clears the line;
Ctrl-D on an empty line (or ``exit``) ends the shell."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sandbox.errors import SandboxError, UnknownCommand

from .context import ShellContext
from .grammar import subcommand_names
from .registry import EXIT, Registry, Result
from .words import argv


@dataclass
class Shell:
    ctx: ShellContext
    registry: Registry
    read_line: Callable[[], str]
    """The prompt: returns a line, raises EOFError (Ctrl-D) or KeyboardInterrupt (Ctrl-C)."""

    def run(self) -> int:
        while True:
            try:
                line = self.read_line()
            except KeyboardInterrupt:
                continue
            except EOFError:
                return 0
            if self.execute(line) is EXIT:
                return 0

    def execute(self, line: str) -> Result:
        try:
            words = argv(line)
            if not words:
                return 0
            builtin = self.registry.get(words[0])
            if builtin is None:
                raise self._unknown(words[0])
            return builtin.run(self.ctx, words[1:])
        except SandboxError as err:
            self.ctx.console.error(err)
        except KeyboardInterrupt:
            # Ctrl-C outside a worker (an interactive command, a quick builtin): the
            # command is over; the shell is not.
            self.ctx.console.note("^C")
        except Exception as err:  # noqa: BLE001 — a bug in a command must not end the shell; it is printed
            self.ctx.console.internal_error(line.strip(), err)
        return 1

    @staticmethod
    def _unknown(word: str) -> UnknownCommand:
        error = UnknownCommand(word)
        if word in subcommand_names():
            error.hint = f"docker commands start with `docker`: docker {word} …"
        return error
