"""A text stream that hands a command's output to a callback as it is written, and keeps it."""

from __future__ import annotations

import io
from collections.abc import Callable


class Capture(io.TextIOBase):
    """stdout and stderr of an in-process ``docker`` command, interleaved in write order."""

    def __init__(self, sink: Callable[[str], None] | None = None) -> None:
        super().__init__()
        self._sink = sink
        self._parts: list[str] = []

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:  # type: ignore[override]
        if text:
            self._parts.append(text)
            if self._sink is not None:
                self._sink(text)
        return len(text)

    def isatty(self) -> bool:
        # Tables and progress must not assume a terminal: the TUI draws this text itself.
        return False

    def getvalue(self) -> str:
        return "".join(self._parts)
