"""The lesson list: every lesson with its progress; Enter opens one."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from sandbox.errors import SandboxError

from ..backend.protocol import Backend
from ..backend.types import LessonSummary
from ..format import truncate
from ..i18n import t
from ..keys import bindings
from ..messages import LessonChosen


def progress_mark(summary: LessonSummary) -> tuple[str, str]:
    if summary.complete:
        return "✓", "$success bold"
    if summary.done:
        return "◐", "$warning bold"
    return "·", "$text-muted"


def lesson_row(summary: LessonSummary, lang: str, width: int = 70) -> Content:
    """``✓ Your first container ········ 3/3``: mark, title, steps done."""
    mark, style = progress_mark(summary)
    count = f"{summary.done}/{summary.steps}"
    title = truncate(summary.title.get(lang) or summary.id, max(width - len(count) - 4, 8))
    from rich.cells import cell_len

    gap = max(width - 2 - cell_len(title) - len(count), 1)
    return Content.assemble((mark + " ", style), (title, "bold" if not summary.complete else ""),
                            (" " * gap, ""), (count, style))


class LessonListScreen(Screen[None]):
    BINDINGS = bindings("list")
    DEFAULT_CSS = """
    LessonListScreen #lessons-title { height: 1; padding: 0 1; background: $primary; color: $text; text-style: bold; }
    LessonListScreen #lessons-progress { height: 1; padding: 0 1; color: $text-muted; }
    LessonListScreen OptionList { height: 1fr; border: none; padding: 0 1; }
    LessonListScreen #lesson-detail { height: auto; max-height: 4; padding: 0 1; color: $text-muted; }
    """

    class Loaded(Message):
        def __init__(self, lessons: list[LessonSummary] | None, error: str = "") -> None:
            super().__init__()
            self.lessons = lessons
            self.error = error

    lang: reactive[str] = reactive("en")

    def __init__(self, backend: Backend, lang: str = "en") -> None:
        super().__init__()
        self.backend = backend
        self.set_reactive(LessonListScreen.lang, lang)
        self.lessons: list[LessonSummary] = []

    def compose(self) -> ComposeResult:
        yield Static(t("app.title", self.lang), id="lessons-title")
        yield Static(t("lessons.loading", self.lang), id="lessons-progress")
        yield OptionList(id="lessons")
        yield Static(id="lesson-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        self.load()

    def on_screen_resume(self) -> None:
        # Coming back from a lesson: its progress changed.
        if self.lessons:
            self.load()

    @work(thread=True, exclusive=True, group="lessons", exit_on_error=False)
    def load(self) -> None:
        try:
            self.post_message(self.Loaded(self.backend.list_lessons()))
        except SandboxError as err:
            self.post_message(self.Loaded(None, err.render()))

    def on_lesson_list_screen_loaded(self, message: LessonListScreen.Loaded) -> None:
        if message.lessons is None:
            self.query_one("#lessons-progress", Static).update(Content.styled(message.error, "$error"))
            return
        self.lessons = message.lessons
        self._draw()

    def watch_lang(self) -> None:
        if self.is_mounted:
            self.query_one("#lessons-title", Static).update(t("app.title", self.lang))
            self._draw()

    def _draw(self) -> None:
        options = self.query_one(OptionList)
        highlighted = options.highlighted
        width = max(self.size.width - 4, 30)
        options.clear_options()
        options.add_options([Option(lesson_row(s, self.lang, width), id=s.id) for s in self.lessons])
        if self.lessons:
            options.highlighted = min(highlighted or 0, len(self.lessons) - 1)
        done = sum(1 for s in self.lessons if s.complete)
        text = t("lessons.progress", self.lang, done=done, total=len(self.lessons)) if self.lessons \
            else t("lessons.none", self.lang)
        self.query_one("#lessons-progress", Static).update(text)
        self._detail()

    def _detail(self) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is None or not self.lessons:
            return
        s = self.lessons[options.highlighted]
        parts = [s.summary.get(self.lang)]
        if s.requires:
            parts.append(t("lessons.requires", self.lang, ids=", ".join(s.requires)))
        self.query_one("#lesson-detail", Static).update("  ".join(p for p in parts if p))

    def on_option_list_option_highlighted(self, _: OptionList.OptionHighlighted) -> None:
        self._detail()

    def on_option_list_option_selected(self, message: OptionList.OptionSelected) -> None:
        if message.option.id:
            self.post_message(LessonChosen(message.option.id))

    def action_open(self) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is not None and self.lessons:
            self.post_message(LessonChosen(self.lessons[options.highlighted].id))
