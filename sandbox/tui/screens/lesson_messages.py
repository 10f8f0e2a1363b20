"""What the lesson screen's workers report back (posted from their threads)."""

from __future__ import annotations

from textual.message import Message

from ..backend.protocol import LessonSession
from ..backend.types import CheckResult, CommandResult, Names


class SessionOpened(Message):
    def __init__(self, session: LessonSession | None, done: frozenset[int] = frozenset(), error: str = "") -> None:
        super().__init__()
        self.session = session
        self.done = done
        self.error = error


class OutputChunk(Message):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class CommandDone(Message):
    def __init__(self, line: str, result: CommandResult | None, error: str = "") -> None:
        super().__init__()
        self.line = line
        self.result = result
        self.error = error


class CheckDone(Message):
    def __init__(self, step: int, result: CheckResult, quiet: bool) -> None:
        super().__init__()
        self.step = step
        self.result = result
        self.quiet = quiet


class NamesLoaded(Message):
    def __init__(self, names: Names) -> None:
        super().__init__()
        self.names = names


class ResetDone(Message):
    def __init__(self, error: str = "") -> None:
        super().__init__()
        self.error = error
