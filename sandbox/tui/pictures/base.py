"""What every picture widget shares: it holds a view model (or a notice saying why there
is none) and draws it for its current width. The pane sets ``view`` / ``notice``;
pictures never fetch anything themselves."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget

NOTICE_STYLES = {"info": "$text-muted", "error": "$error", "loading": "$text-muted italic"}


class Picture(Widget):
    DEFAULT_CSS = """
    Picture { height: auto; width: 1fr; padding: 0 1; }
    """
    kind: ClassVar[str] = ""

    view: reactive[Any] = reactive(None, layout=True, always_update=True)
    notice: reactive[str] = reactive("", layout=True)
    notice_kind: reactive[str] = reactive("info")
    lang: reactive[str] = reactive("en", layout=True)

    def show_view(self, view: Any) -> None:
        self.notice = ""
        self.view = view

    def show_notice(self, text: str, kind: str = "info") -> None:
        self.view = None
        self.notice_kind = kind
        self.notice = text

    def render(self) -> Content:
        if self.view is None:
            return Content.styled(self.notice, NOTICE_STYLES.get(self.notice_kind, "$text-muted"))
        width = self.content_size.width or self.size.width or 40
        return self.draw(self.view, max(width, 20))

    def draw(self, view: Any, width: int) -> Content:  # pragma: no cover - every picture overrides
        raise NotImplementedError


def lines(parts: list[Content]) -> Content:
    """Join rendered lines with newlines."""
    return Content("\n").join(parts)
