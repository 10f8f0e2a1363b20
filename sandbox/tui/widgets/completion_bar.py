"""One line under the command box listing what Tab could complete to."""

from __future__ import annotations

from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget

from ..format import truncate


class CompletionBar(Widget):
    DEFAULT_CSS = """
    CompletionBar { height: 1; padding: 0 1; color: $text-muted; }
    """

    candidates: reactive[tuple[str, ...]] = reactive(tuple)

    def watch_candidates(self, candidates: tuple[str, ...]) -> None:
        self.display = bool(candidates)

    def render(self) -> Content:
        if not self.candidates:
            return Content("")
        width = max(self.content_size.width, 10)
        return Content.styled(truncate("  ".join(self.candidates), width), "$text-muted")
