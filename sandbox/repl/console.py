"""Printing between prompts: pictures in colour, errors with their hint, short notes.

It prints through a prompt_toolkit Output, so the same code writes escape sequences to
a terminal and plain text to a file or a test's buffer.
"""

from __future__ import annotations

from dataclasses import dataclass

from prompt_toolkit.formatted_text import FormattedText, StyleAndTextTuples
from prompt_toolkit.output import Output
from prompt_toolkit.shortcuts import print_formatted_text
from prompt_toolkit.styles import BaseStyle

from sandbox.errors import SandboxError


@dataclass
class Console:
    output: Output
    style: BaseStyle

    @property
    def width(self) -> int:
        try:
            return max(self.output.get_size().columns, 40)
        except OSError:
            return 80  # not a terminal any more (closed): draw for the usual width

    def print(self, fragments: StyleAndTextTuples | str, end: str = "\n") -> None:
        text = FormattedText([("", fragments)]) if isinstance(fragments, str) else FormattedText(fragments)
        print_formatted_text(text, style=self.style, output=self.output, end=end)

    def picture(self, fragments: StyleAndTextTuples) -> None:
        """A picture already ends its lines; print it as it is."""
        self.print(fragments, end="")

    def error(self, err: SandboxError) -> None:
        lines: StyleAndTextTuples = [("class:error", "error: "), ("", err.message)]
        if err.hint:
            lines += [("", "\n"), ("class:hint", "hint: "), ("", err.hint)]
        self.print(lines)

    def internal_error(self, what: str, err: BaseException) -> None:
        """A bug, not a bad command: say so plainly, and keep the prompt."""
        self.print([("class:error", "internal error: "), ("", f"{what}: {type(err).__name__}: {err}"),
                    ("", "\n"), ("class:hint", "hint: "), ("", "this is a bug in sandbox; the shell carries on")])

    def note(self, text: str) -> None:
        self.print([("class:note", text)])
