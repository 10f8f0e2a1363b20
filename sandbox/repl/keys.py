"""The shell's own keys, on top of prompt_toolkit's Emacs defaults (Ctrl-D on an empty
line exits, Ctrl-C at the prompt clears it, Up/Down walk the history, Right accepts the
grey suggestion).

    Enter        with a completion picked in the menu: take it, don't run the line yet
    Ctrl-Space   open the completion menu
    F1           the shell's help, printed above the prompt
"""

from __future__ import annotations

from collections.abc import Callable

from prompt_toolkit.application import run_in_terminal
from prompt_toolkit.filters import Condition, has_completions
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent


def shell_keys(show_help: Callable[[], None]) -> KeyBindings:
    keys = KeyBindings()

    @Condition
    def completion_picked() -> bool:
        from prompt_toolkit.application import get_app

        state = get_app().current_buffer.complete_state
        return state is not None and state.current_completion is not None

    @keys.add("enter", filter=has_completions & completion_picked)
    def _take_completion(event: KeyPressEvent) -> None:
        buffer = event.current_buffer
        buffer.complete_state = None  # keep the picked text, close the menu

    @keys.add("c-space")
    def _complete(event: KeyPressEvent) -> None:
        buffer = event.current_buffer
        if buffer.complete_state:
            buffer.complete_next()
        else:
            buffer.start_completion(select_first=False)

    @keys.add("f1")
    def _help(event: KeyPressEvent) -> None:
        run_in_terminal(show_help)

    return keys
