"""Go's string helpers as docker's formatters use them: Quote, Ellipsis, TruncateID."""

from __future__ import annotations

import unicodedata

_QUOTE_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t",
                  "\v": "\\v", "\\": "\\\\", '"': '\\"'}


def go_quote(text: str) -> str:
    """strconv.Quote: double quotes, Go escapes; printable non-ASCII stays as it is."""
    out = ['"']
    for ch in text:
        if ch in _QUOTE_ESCAPES:
            out.append(_QUOTE_ESCAPES[ch])
        elif ch == " " or ch.isprintable():
            out.append(ch)
        elif ord(ch) < 0x80:
            out.append(f"\\x{ord(ch):02x}")
        elif ord(ch) < 0x10000:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    out.append('"')
    return "".join(out)


def display_width(ch: str) -> int:
    """Terminal cells for one character: 2 for East Asian wide/fullwidth, 0 for combining."""
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def ellipsis(text: str, max_width: int) -> str:
    """Cut ``text`` to ``max_width`` display cells, ending in ``…`` when something was cut."""
    if max_width <= 0:
        return ""
    if max_width == 1:
        return text[:1]
    widths = [display_width(ch) for ch in text]
    if sum(widths) <= max_width:
        return text
    used = 0
    for i, w in enumerate(widths):
        if used + w > max_width - 1:
            return text[:i] + "…"
        used += w
    return text


def truncate_id(ident: str) -> str:
    """The 12-character short form of an id, without its ``sha256:`` prefix."""
    if ":" in ident:
        ident = ident.split(":", 1)[1]
    return ident[:12]
