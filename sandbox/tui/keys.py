"""Every key the TUI answers to, in one table: the screens build their bindings from it
and the help screen lists it, so the two cannot drift apart.

Function keys do the work because the command box has the focus nearly all the time and
must keep every printable key (and the usual line-editing control keys) for typing.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding


@dataclass(frozen=True)
class KeySpec:
    keys: str
    """Textual key names, comma-separated."""
    action: str
    label: str
    """An i18n key for the description."""
    scope: str
    """``global``, ``list``, ``lesson``, or ``input`` (handled by the command box)."""
    shown: str = ""
    """How the help screen writes the key; defaults to ``keys``."""
    footer: bool = True


KEYS: tuple[KeySpec, ...] = (
    KeySpec("f1", "app.help", "key.help", "global", "F1"),
    KeySpec("f3", "app.toggle_lang", "key.lang", "global", "F3"),
    KeySpec("f12", "app.toggle_theme", "key.theme", "global", "F12", footer=False),
    KeySpec("ctrl+q", "app.quit", "key.quit", "global", "Ctrl+Q"),
    KeySpec("enter", "open", "key.open", "list", "Enter", footer=False),
    KeySpec("f2", "hint", "key.hint", "lesson", "F2"),
    KeySpec("f4", "reset", "key.reset", "lesson", "F4"),
    KeySpec("f5", "check", "key.check", "lesson", "F5"),
    KeySpec("f6", "next_picture", "key.picture", "lesson", "F6"),
    KeySpec("f7", "prev_step", "key.prev_step", "lesson", "F7", footer=False),
    KeySpec("f8", "next_step", "key.next_step", "lesson", "F8", footer=False),
    KeySpec("f9", "choose_path", "key.path", "lesson", "F9", footer=False),
    KeySpec("escape", "back", "key.back", "lesson", "Esc"),
    KeySpec("tab", "complete", "key.complete", "input", "Tab"),
    KeySpec("up,down", "history", "key.history", "input", "↑ ↓"),
    KeySpec("pageup,pagedown", "scroll", "key.scroll", "lesson", "PgUp PgDn"),
)

_FOOTER_LABELS = {"key.help": "Help", "key.lang": "中文/EN", "key.quit": "Quit", "key.hint": "Hint",
                  "key.reset": "Reset", "key.check": "Check", "key.picture": "Picture", "key.back": "Lessons"}


def bindings(scope: str) -> list[Binding]:
    """Textual bindings for one scope (``input`` and the scroll keys are handled by widgets)."""
    out = []
    for spec in KEYS:
        if spec.scope != scope or spec.action in ("history", "scroll", "complete"):
            continue
        out.append(Binding(spec.keys, spec.action, _FOOTER_LABELS.get(spec.label, spec.label),
                           show=spec.footer, key_display=spec.shown or None))
    return out


def for_help(scopes: tuple[str, ...] = ("global", "list", "lesson", "input")) -> list[KeySpec]:
    return [k for k in KEYS if k.scope in scopes]
