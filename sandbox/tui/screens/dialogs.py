"""Small modal questions: yes/no before a reset, and a path for the layers picture."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from ..i18n import t

_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{ width: 64; max-width: 95%; height: auto; border: round $warning;
                     background: $surface; padding: 0 1; }}
{name} Static {{ width: 1fr; }}
"""


class ConfirmScreen(ModalScreen[bool]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("y", "answer(True)", "Yes"), Binding("n,escape", "answer(False)", "No")]
    DEFAULT_CSS = _CSS.format(name="ConfirmScreen")

    def __init__(self, question: str, lang: str) -> None:
        super().__init__()
        self.question = question
        self.lang = lang

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.question)
            yield Static(f"[b]{t('confirm.yes', self.lang)}[/b]    {t('confirm.no', self.lang)}")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class PathPrompt(ModalScreen[str | None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = _CSS.format(name="PathPrompt")

    def __init__(self, lang: str, value: str = "") -> None:
        super().__init__()
        self.lang = lang
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(t("path.prompt", self.lang))
            yield Input(value=self.value, placeholder="/etc/passwd")

    def on_input_submitted(self, message: Input.Submitted) -> None:
        value = message.value.strip()
        self.dismiss(value or None)

    def action_cancel(self) -> None:
        self.dismiss(None)
