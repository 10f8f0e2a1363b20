"""Small pieces the pictures are drawn with: lines of styled fragments, meters, cells.

A picture is a list of lines; each line a list of (style, text) fragments. Keeping lines
separate until the end lets a test read the picture line by line and lets ``picture()``
join them with newlines once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from prompt_toolkit.formatted_text import StyleAndTextTuples

Line = list[tuple[str, str]]

UNLIMITED = 1 << 62
"""Above this a cgroup limit means "no limit" (v1 writes 9223372036854771712 for it)."""


def picture(lines: Iterable[Line]) -> StyleAndTextTuples:
    out: StyleAndTextTuples = []
    for line in lines:
        out.extend(line)
        out.append(("", "\n"))
    return out


def plain(fragments: StyleAndTextTuples) -> str:
    return "".join(text for _, text, *_ in fragments)


def cell(text: str, width: int, align: str = "<") -> str:
    """``text`` fitted into ``width`` columns: cut with an ellipsis when too long."""
    if width <= 0:
        return ""
    if len(text) > width:
        text = text[: max(width - 1, 0)] + "…"
    return f"{text:{align}{width}}"


def clip(text: str, width: int) -> str:
    """``text`` cut to ``width`` columns with an ellipsis, never padded."""
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def title(text: str, detail: str = "") -> Line:
    line: Line = [("class:title", text)]
    if detail:
        line.append(("class:dim", "  " + detail))
    return line


def meter(used: float, limit: float | None, width: int) -> Line:
    """``[#######.......]``: green, yellow past 75 %, red past 90 %; an unlimited meter
    is drawn empty with "no limit" written in it."""
    width = max(width, 6)
    if not limit or limit >= UNLIMITED:
        label = cell(" no limit", width)
        return [("class:box", "["), ("class:meter.empty", label), ("class:box", "]")]
    share = max(0.0, min(used / limit, 1.0))
    filled = round(share * width)
    style = "class:meter.full" if share >= 0.9 else "class:meter.high" if share >= 0.75 else "class:meter.fill"
    return [("class:box", "["), (style, "█" * filled), ("class:meter.empty", "·" * (width - filled)),
            ("class:box", "]")]


def percent(used: float, limit: float | None) -> str:
    if not limit or limit >= UNLIMITED:
        return ""
    return f"{100.0 * used / limit:.0f}%"


def short_id(ident: str) -> str:
    """``sha256:abc…`` or a bare hex id, as docker prints ids: 12 hex characters."""
    return ident.split(":", 1)[-1][:12]


def rule(width: int, char: str = "─") -> Line:
    return [("class:box", char * width)]


def table(rows: Sequence[Sequence[tuple[str, str]]], gap: int = 2) -> list[Line]:
    """Rows of (style, text) cells, each column as wide as its widest cell."""
    if not rows:
        return []
    columns = max(len(r) for r in rows)
    widths = [max((len(r[i][1]) for r in rows if i < len(r)), default=0) for i in range(columns)]
    out: list[Line] = []
    for row in rows:
        line: Line = []
        for i, (style, text) in enumerate(row):
            pad = "" if i == len(row) - 1 else " " * (widths[i] - len(text) + gap)
            line.append((style, text))
            if pad:
                line.append(("", pad))
        out.append(line)
    return out
