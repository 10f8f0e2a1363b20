"""The help screen: every key, from the one key table, in the current language."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from ..format import pad
from ..i18n import t
from ..keys import for_help

_SCOPE_TITLES = {"global": ("Everywhere", "任何时候"), "list": ("Lesson list", "课程列表"),
                 "lesson": ("In a lesson", "课程中"), "input": ("Command box", "命令框")}


def help_text(lang: str) -> Content:
    rows: list[Content] = [Content.styled(t("help.title", lang), "bold $accent"), Content("")]
    for scope in ("global", "list", "lesson", "input"):
        en, zh = _SCOPE_TITLES[scope]
        rows.append(Content.styled(zh if lang == "zh" else en, "bold underline"))
        for spec in for_help((scope,)):
            label = t(spec.label, lang)
            if spec.label == "key.lang":
                label = "English / 中文"
            rows.append(Content.assemble(("  " + pad(spec.shown or spec.keys, 12), "$accent bold"), label))
        rows.append(Content(""))
    rows.append(Content.styled(t("help.close", lang), "$text-muted"))
    return Content("\n").join(rows)


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,f1,q", "dismiss", "Close", show=False)]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 60; max-width: 95%; height: auto; max-height: 90%;
                                  border: round $accent; background: $surface; padding: 0 1; }
    HelpScreen Static { width: 1fr; }
    """

    def __init__(self, lang: str) -> None:
        super().__init__()
        self.lang = lang

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(help_text(self.lang), id="help-text")

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
