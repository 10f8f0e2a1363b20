"""One or two lines under the step text: check results and hints. A failed check says
what is wrong (the check's own message); a hint says which tier it is."""

from __future__ import annotations

from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget

STYLES = {"pass": "$success bold", "fail": "$error", "hint": "$warning", "info": "$text-muted"}


class Feedback(Widget):
    DEFAULT_CSS = """
    Feedback { height: auto; max-height: 3; padding: 0 1; }
    """

    text: reactive[str] = reactive("", layout=True)
    kind: reactive[str] = reactive("info")

    def say(self, text: str, kind: str = "info") -> None:
        self.kind = kind
        self.text = text

    def watch_text(self, text: str) -> None:
        # Nothing to say takes no room: rows are scarce at 80x24.
        self.display = bool(text)

    def render(self) -> Content:
        return Content.styled(self.text, STYLES.get(self.kind, ""))
