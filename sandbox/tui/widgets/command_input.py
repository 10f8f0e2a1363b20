"""The command box: one ``docker …`` line with history (Up/Down), completion (Tab, and a
greyed suggestion accepted with Right), and the candidates posted up for the screen to
show. Live names arrive as an attribute; completing never waits on the engine."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.binding import Binding, BindingType
from textual.message import Message
from textual.suggester import Suggester
from textual.widgets import Input

from ..backend.types import Names
from ..completion import Completion, complete
from ..history import CommandHistory


class _DockerSuggester(Suggester):
    def __init__(self, box: CommandInput) -> None:
        # No cache: the names behind a suggestion change as containers come and go.
        super().__init__(use_cache=False, case_sensitive=True)
        self._box = box

    async def get_suggestion(self, value: str) -> str | None:
        return complete(value, self._box.names).suggestion(value)


class CommandInput(Input):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("tab", "complete", "Complete", show=False),
        Binding("up", "history_previous", "Previous command", show=False),
        Binding("down", "history_next", "Next command", show=False),
    ]

    class Run(Message):
        """The learner pressed Enter on a non-empty line."""

        def __init__(self, line: str) -> None:
            super().__init__()
            self.line = line

    class Candidates(Message):
        """What Tab could complete to; empty when there is nothing to offer."""

        def __init__(self, word: str, candidates: tuple[str, ...]) -> None:
            super().__init__()
            self.word = word
            self.candidates = candidates

    def __init__(self, history: CommandHistory | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.names = Names()
        self.history = history or CommandHistory()
        self.suggester = _DockerSuggester(self)

    async def action_submit(self) -> None:
        line = self.value.strip()
        if not line:
            return
        self.history.add(line)
        self.value = ""
        self.post_message(self.Candidates("", ()))
        self.post_message(self.Run(line))

    def action_complete(self) -> None:
        if not self.cursor_at_end:
            self.cursor_position = len(self.value)
            return
        result: Completion = complete(self.value, self.names)
        if result.candidates:
            self.value = result.apply(self.value)
            self.cursor_position = len(self.value)
        self.post_message(self.Candidates(result.word, result.candidates if len(result.candidates) > 1 else ()))

    def action_history_previous(self) -> None:
        line = self.history.previous(self.value)
        if line is not None:
            self.value = line
            self.cursor_position = len(line)

    def action_history_next(self) -> None:
        line = self.history.next()
        if line is not None:
            self.value = line
            self.cursor_position = len(line)
