"""The shell's colours, by class name. ANSI colour names only, and no backgrounds except
the toolbar's, so the text reads on light and dark terminals alike."""

from __future__ import annotations

from prompt_toolkit.styles import Style

CLASSES: dict[str, str] = {
    # the line being typed (lexer.py)
    "command": "ansicyan bold",
    "subcommand": "ansicyan",
    "flag": "ansiyellow",
    "string": "ansigreen",
    "argument": "",
    "unknown": "ansired",
    # the prompt and the toolbar
    "prompt": "bold",
    "bottom-toolbar": "noreverse bg:ansibrightblack ansiwhite",
    "toolbar.ok": "ansibrightgreen bold",
    "toolbar.down": "ansibrightred bold",
    "toolbar.checking": "ansiwhite",
    # messages
    "error": "ansired bold",
    "hint": "ansiyellow",
    "note": "ansibrightblack",
    # pictures (show.py, explain)
    "title": "bold underline",
    "heading": "bold",
    "dim": "ansibrightblack",
    "good": "ansigreen",
    "bad": "ansired bold",
    "warn": "ansiyellow",
    "accent": "ansicyan",
    "box": "ansibrightblack",
    "meter.fill": "ansigreen",
    "meter.high": "ansiyellow",
    "meter.full": "ansired",
    "meter.empty": "ansibrightblack",
    "upper": "ansiyellow bold",
}


def shell_style() -> Style:
    return Style.from_dict(CLASSES)
