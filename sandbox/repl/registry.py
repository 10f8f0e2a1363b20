"""The shell's own commands: a name, what it does, how it is used, and its handler.

A handler takes the context and the words after the command's name and returns an exit
code, or ``EXIT`` to end the shell. It raises ``SandboxError`` for a bad line; the loop
prints it and the prompt stays.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .context import ShellContext


class Exit(Enum):
    EXIT = "exit"


EXIT = Exit.EXIT
Result = int | Exit
Handler = Callable[["ShellContext", list[str]], Result]


@dataclass(frozen=True)
class Builtin:
    name: str
    summary: str
    usage: str
    run: Handler
    aliases: tuple[str, ...] = ()


class Registry:
    def __init__(self, builtins: Iterable[Builtin]) -> None:
        self.builtins = list(builtins)
        self._by_name: dict[str, Builtin] = {}
        for builtin in self.builtins:
            for name in (builtin.name, *builtin.aliases):
                self._by_name[name] = builtin

    def get(self, name: str) -> Builtin | None:
        return self._by_name.get(name)

    def names(self) -> list[str]:
        """Every name that runs something, aliases included (for highlighting)."""
        return list(self._by_name)

    def summaries(self) -> dict[str, str]:
        """Main names and what they do (for completion and help)."""
        return {b.name: b.summary for b in self.builtins}
