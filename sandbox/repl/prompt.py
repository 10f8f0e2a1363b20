"""The prompt itself: a PromptSession assembled from the shell's parts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from prompt_toolkit import PromptSession
from prompt_toolkit.auto_suggest import AutoSuggestFromHistory
from prompt_toolkit.completion import Completer
from prompt_toolkit.formatted_text import StyleAndTextTuples
from prompt_toolkit.history import History
from prompt_toolkit.input import Input
from prompt_toolkit.key_binding import KeyBindings
from prompt_toolkit.lexers import Lexer
from prompt_toolkit.output import Output
from prompt_toolkit.styles import BaseStyle

MESSAGE: StyleAndTextTuples = [("class:prompt", "sandbox> ")]


@dataclass
class PromptParts:
    completer: Completer
    lexer: Lexer
    style: BaseStyle
    history: History
    keys: KeyBindings
    toolbar: Callable[[], StyleAndTextTuples]


def make_session(parts: PromptParts, *, input: Input | None = None, output: Output | None = None) -> PromptSession[str]:
    return PromptSession(
        MESSAGE,
        completer=parts.completer,
        complete_while_typing=True,
        lexer=parts.lexer,
        style=parts.style,
        history=parts.history,
        auto_suggest=AutoSuggestFromHistory(),
        key_bindings=parts.keys,
        bottom_toolbar=parts.toolbar,
        include_default_pygments_style=False,
        input=input,
        output=output,
    )
