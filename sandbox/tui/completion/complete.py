"""Completion of a ``docker …`` line: subcommands, flags, and live names.

``complete(line, names)`` is pure and fast (a table walk, no I/O): the live names come in
as a snapshot that a worker refreshes in the background, so typing never waits on the
engine. The cursor is taken to be at the end of the line, which is where the command
box completes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from ..backend.types import Names
from ..commandline import parse, tokenize
from ..grammar import LIVE_KINDS, Command, docker


@dataclass(frozen=True)
class Completion:
    word: str
    """The partial word being completed (possibly empty)."""
    candidates: tuple[str, ...]
    """Whole words that could replace ``word``, in display order."""
    closes_word: bool = True
    """Whether accepting a single candidate ends the word (adds a space); False for a
    value that usually goes on (``web:`` in ``docker cp``)."""

    @property
    def common(self) -> str:
        """The longest prefix all candidates share (at least ``word``)."""
        if not self.candidates:
            return self.word
        return os.path.commonprefix(list(self.candidates)) or self.word

    def apply(self, line: str, candidate: str | None = None) -> str:
        """``line`` with its last word replaced: by ``candidate``, by the only candidate,
        or by the common prefix when there are several."""
        base = line[: len(line) - len(self.word)] if self.word and line.endswith(self.word) else line
        if candidate is None:
            if len(self.candidates) == 1:
                candidate = self.candidates[0]
            else:
                return base + self.common
        space = " " if self.closes_word and not candidate.endswith(("=", ":")) else ""
        return base + candidate + space

    def suggestion(self, line: str) -> str | None:
        """What to show greyed out after the cursor: the single or common completion."""
        if not self.candidates:
            return None
        completed = self.apply(line).rstrip(" ") if len(self.candidates) > 1 else self.apply(line)
        return completed if len(completed) > len(line) else None


def _live(kind: str, names: Names) -> tuple[str, ...]:
    return {"container": names.containers, "image": names.images, "network": names.networks,
            "volume": names.volumes}.get(kind, ())


def _match(word: str, options: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for option in options:
        if option.startswith(word):
            seen.setdefault(option, None)
    return tuple(seen)


NO_NAMES = Names()


def complete(line: str, names: Names = NO_NAMES) -> Completion:
    tokens = tokenize(line)
    if tokens.open_quote:
        return Completion("", ())
    words = list(tokens.words)
    current = "" if tokens.trailing_space else (words.pop() if words else "")
    if not words:
        return Completion(current, _match(current, ["docker"]))
    if words[0] != "docker":
        return Completion(current, ())
    parsed = parse(words)
    node: Command = parsed.command or docker()
    pending = _pending_value_flag(node, words[-1]) if len(words) > 1 else None
    if pending is not None:
        return Completion(current, _match(current, _live(pending, names)) if pending in LIVE_KINDS else ())
    if current.startswith("-"):
        return Completion(current, _flag_words(node, current))
    if not parsed.args and node.subcommands:
        return Completion(current, _match(current, sorted(node.subcommands)))
    if parsed.command is None:
        return Completion(current, ())
    kind = node.arg_kind(len(parsed.args))
    if kind == "container-path":
        return Completion(current, _match(current, [f"{c}:" for c in names.containers]), closes_word=False)
    if kind in LIVE_KINDS:
        taken = set(parsed.args)
        return Completion(current, _match(current, [n for n in _live(kind, names) if n not in taken]))
    return Completion(current, ())


def _pending_value_flag(node: Command, previous: str) -> str | None:
    """The value kind the previous word asks for (``--network`` -> ``network``), if any."""
    if previous.startswith("--"):
        if "=" in previous:
            return None
        flag = node.flag(previous)
        return flag.value if flag is not None else None
    if previous.startswith("-") and len(previous) >= 2:
        flag = node.flag("-" + previous[-1])
        # Only when the value-taking letter ends the cluster is the next word its value.
        if flag is not None and flag.value is not None and all(
                (f := node.flag("-" + ch)) is not None and f.value is None for ch in previous[1:-1]):
            return flag.value
    return None


def _flag_words(node: Command, current: str) -> tuple[str, ...]:
    if current.startswith("--"):
        return _match(current, sorted({n for f in node.flags for n in f.names if n.startswith("--")}))
    # "-" alone offers the long forms (they explain themselves); "-x" completes short ones.
    if current == "-":
        return tuple(sorted({f.long for f in node.flags}))
    return _match(current, sorted({n for f in node.flags for n in f.names}))
