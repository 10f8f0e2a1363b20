"""The lesson's steps, one a line: ✓ passed, ▸ current, · still open."""

from __future__ import annotations

from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget

from ..backend.types import StepDoc
from ..format import truncate


def step_title(step: StepDoc, lang: str, index: int) -> str:
    """The step's title, else its text's first heading or line."""
    title = step.title.get(lang)
    if title:
        return title
    for line in step.text.get(lang).splitlines():
        line = line.strip().lstrip("#").strip()
        if line:
            return line
    return f"Step {index + 1}"


class StepList(Widget):
    DEFAULT_CSS = """
    StepList { height: auto; max-height: 8; padding: 0 1; }
    """

    steps: reactive[tuple[StepDoc, ...]] = reactive(tuple, layout=True)
    done: reactive[frozenset[int]] = reactive(frozenset)
    current: reactive[int] = reactive(0)
    lang: reactive[str] = reactive("en")

    def render(self) -> Content:
        width = max(self.content_size.width, 10)
        rows = []
        for i, step in enumerate(self.steps):
            title = truncate(f"{i + 1}. {step_title(step, self.lang, i)}", width - 2)
            if i in self.done:
                mark, style = "✓", "$success"
            elif i == self.current:
                mark, style = "▸", "$accent"
            else:
                mark, style = "·", "$text-muted"
            text_style = "bold" if i == self.current else ("$text-muted" if i not in self.done else "")
            rows.append(Content.assemble((mark + " ", f"{style} bold"), (title, text_style)))
        return Content("\n").join(rows)

    def mark(self, index: int) -> str:
        """The mark drawn for step ``index`` (tests read it)."""
        return "✓" if index in self.done else "▸" if index == self.current else "·"
