"""Command history for the command box: Up and Down walk it like a shell, keeping the line
being typed as a draft to come back to. Optionally kept in a file, one line per command."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

MAX_ENTRIES = 1000


@dataclass
class CommandHistory:
    entries: list[str] = field(default_factory=list)
    path: Path | None = None
    _pos: int | None = None
    """Index into ``entries`` while walking; None when at the draft."""
    _draft: str = ""

    @classmethod
    def load(cls, path: Path | None) -> CommandHistory:
        """Read ``path`` if it exists; a missing or unreadable file is an empty history
        (history is a convenience, never a reason not to start)."""
        entries: list[str] = []
        if path is not None:
            try:
                entries = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
            except (OSError, UnicodeDecodeError):
                entries = []
        return cls(entries[-MAX_ENTRIES:], path)

    def add(self, line: str) -> None:
        line = line.strip()
        self._pos, self._draft = None, ""
        if not line or (self.entries and self.entries[-1] == line):
            return
        self.entries.append(line)
        del self.entries[:-MAX_ENTRIES]
        if self.path is not None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with self.path.open("a", encoding="utf-8") as f:
                    f.write(line + "\n")
            except OSError:
                # A read-only home must not break the command box; the session keeps its history.
                self.path = None

    def previous(self, current: str) -> str | None:
        """The older entry (Up); None when there is none. ``current`` is kept as the draft."""
        if not self.entries:
            return None
        if self._pos is None:
            self._draft = current
            self._pos = len(self.entries) - 1
        elif self._pos > 0:
            self._pos -= 1
        else:
            return None
        return self.entries[self._pos]

    def next(self) -> str | None:
        """The newer entry (Down), then the draft; None when already at the draft."""
        if self._pos is None:
            return None
        if self._pos < len(self.entries) - 1:
            self._pos += 1
            return self.entries[self._pos]
        self._pos = None
        return self._draft
