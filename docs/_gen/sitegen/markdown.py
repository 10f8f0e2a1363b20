"""Small Markdown helpers shared by the generators: headings, indentation, fences."""

from __future__ import annotations

import re

_FENCE = re.compile(r"^\s*(```|~~~)")
_HEADING = re.compile(r"^(#{1,6})(\s)")


def _outside_fences(text: str) -> list[tuple[str, bool]]:
    """Each line with whether it is outside a fenced code block (a ``# comment`` in a shell
    block is not a heading)."""
    lines: list[tuple[str, bool]] = []
    fence: str | None = None
    for line in text.splitlines():
        m = _FENCE.match(line)
        if m:
            if fence is None:
                fence = m.group(1)
            elif m.group(1) == fence:
                fence = None
            lines.append((line, False))
            continue
        lines.append((line, fence is None))
    return lines


def drop_first_heading(text: str) -> str:
    """The text without its first heading: a lesson page prints that title itself."""
    out: list[str] = []
    dropped = False
    for line, plain in _outside_fences(text):
        if not dropped and plain and _HEADING.match(line):
            dropped = True
            continue
        out.append(line)
    return "\n".join(out).strip("\n")


def demote_headings(text: str, levels: int) -> str:
    """Every heading ``levels`` deeper (capped at h6), so included text nests under ours."""

    def deeper(m: re.Match[str]) -> str:
        return "#" * min(6, len(m.group(1)) + levels) + m.group(2)

    return "\n".join(_HEADING.sub(deeper, line) if plain else line for line, plain in _outside_fences(text))


def indent(text: str, spaces: int = 4) -> str:
    """Indented for the body of an admonition (blank lines stay empty)."""
    pad = " " * spaces
    return "\n".join(pad + line if line.strip() else "" for line in text.splitlines())


def code_block(text: str, lang: str = "") -> str:
    """A fenced block long enough not to be closed by a fence inside ``text``."""
    ticks = "```"
    while ticks in text:
        ticks += "`"
    return f"{ticks}{lang}\n{text.rstrip()}\n{ticks}"


def cell(text: str) -> str:
    """Safe inside a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")
