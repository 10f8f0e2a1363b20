"""The command's output, below the command box's line: what it printed as it ran, then
its exit code. Keeps the last few commands, scrolled to the newest."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import RichLog

MAX_LINES = 2000


class CommandOutput(RichLog):
    DEFAULT_CSS = """
    CommandOutput { height: 6; min-height: 3; padding: 0 1; background: $surface; }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(max_lines=MAX_LINES, wrap=True, markup=False, highlight=False, **kwargs)  # type: ignore[arg-type]
        self._partial = ""
        self.plain: list[str] = []
        """Every line written, unstyled (tests and copy-paste read it)."""

    def begin(self, line: str) -> None:
        self.flush_partial()
        self._write(Text.assemble(("$ ", "bold"), (line, "bold")))

    def chunk(self, text: str) -> None:
        """Output as it arrives: whole lines now, the unfinished tail when it completes."""
        text = self._partial + text
        *whole, self._partial = text.split("\n")
        for line in whole:
            self._write(Text(line))

    def flush_partial(self) -> None:
        if self._partial:
            self._write(Text(self._partial))
            self._partial = ""

    def note(self, text: str, style: str = "dim") -> None:
        self.flush_partial()
        self._write(Text(text, style=style))

    def _write(self, text: Text) -> None:
        self.plain.append(text.plain)
        del self.plain[:-MAX_LINES]
        self.write(text)
