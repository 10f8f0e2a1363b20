"""Shell-like words of a typed line, with where each one sits.

The lexer colours by position and the completer needs the word under the cursor, so
``split_words`` keeps spans; ``argv`` is what a finished line runs with. Neither raises
on an unfinished line (an open quote is part of the last word), because both run on
every keystroke.
"""

from __future__ import annotations

from dataclasses import dataclass

from sandbox.errors import ReplUsageError


@dataclass(frozen=True)
class Word:
    text: str
    """The word as the program sees it: quotes removed, escapes resolved."""
    start: int
    end: int
    """Its span in the line, quotes included."""
    quoted: bool = False
    open_quote: bool = False
    """The line ends inside this word's quote."""


def split_words(line: str) -> list[Word]:
    words: list[Word] = []
    current: list[str] = []
    start: int | None = None
    quote: str | None = None
    quoted = False
    i = 0
    while i < len(line):
        ch = line[i]
        if quote is not None:
            if ch == quote:
                quote = None
            elif ch == "\\" and quote == '"' and i + 1 < len(line) and line[i + 1] in '"\\$`':
                i += 1
                current.append(line[i])
            else:
                current.append(ch)
        elif ch.isspace():
            if start is not None:
                words.append(Word("".join(current), start, i, quoted))
                current, start, quoted = [], None, False
        else:
            if start is None:
                start = i
            if ch in "'\"":
                quote, quoted = ch, True
            elif ch == "\\" and i + 1 < len(line):
                i += 1
                current.append(line[i])
            else:
                current.append(ch)
        i += 1
    if start is not None:
        words.append(Word("".join(current), start, len(line), quoted, open_quote=quote is not None))
    return words


def argv(line: str) -> list[str]:
    """The words a finished line runs with; an unfinished quote is a usage error."""
    words = split_words(line)
    if words and words[-1].open_quote:
        raise ReplUsageError(line.strip(), "a quote is not closed", "close it, or escape it with \\")
    return [w.text for w in words]


def current_word(line_before_cursor: str) -> tuple[list[str], str]:
    """(the finished words before the cursor, the word being typed, possibly "")."""
    words = split_words(line_before_cursor)
    if words and words[-1].end == len(line_before_cursor):
        last = words.pop()
        return [w.text for w in words], last.text
    return [w.text for w in words], ""
