"""Messages that cross screens: the app posts engine news down to the active screen by
calling its handler, and screens post their choices up."""

from __future__ import annotations

from textual.message import Message

from .backend.types import JSON


class EngineEvent(Message):
    """One document from the engine's ``/events`` stream."""

    def __init__(self, event: JSON) -> None:
        super().__init__()
        self.event = event


class EngineLost(Message):
    """The event stream failed: the engine stopped or went away."""

    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message


class EngineBack(Message):
    """The event stream works again after a loss."""


class LessonChosen(Message):
    def __init__(self, lesson_id: str) -> None:
        super().__init__()
        self.lesson_id = lesson_id
