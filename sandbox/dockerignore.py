"""``.dockerignore`` and Go's ``filepath.Match`` patterns, as the Docker CLI and daemon use them.

A pattern is matched against the slash-separated path relative to the context root:
``*`` is any run of characters but ``/``, ``?`` one such character, ``[a-z]`` and ``[^a-z]``
classes, ``\\`` escapes; ``**`` matches any number of directories, none included. A line
starting with ``!`` re-includes what earlier lines excluded. The last matching line wins,
and a pattern that matches a directory covers everything inside it.

Both sides of a build use it: the ``docker build`` command leaves ignored files out of the
context it sends, and the builder (``sandbox.images.build``) applies the rules again for
clients that do not. So it sits at the bottom of the package, beside ``errors``.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from sandbox.errors import BuildContextError

_META = set("*?[\\")


def has_glob(pattern: str) -> bool:
    return any(ch in _META for ch in pattern)


def _class(pattern: str, i: int) -> tuple[str, int]:
    """Translate a ``[...]`` class starting at ``i``; returns (regex, index after it)."""
    j = i + 1
    out = ["["]
    if j < len(pattern) and pattern[j] == "^":
        out.append("^")
        j += 1
    first = True
    while j < len(pattern) and (pattern[j] != "]" or first):
        ch = pattern[j]
        if ch == "\\" and j + 1 < len(pattern):
            j += 1
            ch = pattern[j]
        out.append("\\" + ch if ch in "\\^[]" else ch)
        first = False
        j += 1
    if j >= len(pattern):
        raise ValueError(f"unterminated character class in {pattern!r}")
    out.append("]")
    return "".join(out), j + 1


def _translate(pattern: str, double_star: bool) -> str:
    out: list[str] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "*":
            if double_star and pattern.startswith("**", i):
                i += 2
                if i < len(pattern) and pattern[i] == "/":
                    i += 1
                # "**" at the end is everything below; "**/" any directories, even none.
                out.append(".*" if i >= len(pattern) else "(?:.*/)?")
                continue
            out.append("[^/]*")
        elif ch == "?":
            out.append("[^/]")
        elif ch == "[":
            cls, i = _class(pattern, i)
            out.append(cls)
            continue
        elif ch == "\\" and i + 1 < len(pattern):
            i += 1
            out.append(re.escape(pattern[i]))
        else:
            out.append(re.escape(ch))
        i += 1
    return "".join(out)


@lru_cache(maxsize=512)
def _compiled(pattern: str, double_star: bool) -> re.Pattern[str]:
    return re.compile(_translate(pattern, double_star) + r"\Z", re.DOTALL)


def go_match(pattern: str, name: str) -> bool:
    """Go's ``filepath.Match``: the whole of ``name``; ``*`` never crosses ``/``."""
    try:
        return _compiled(pattern, False).match(name) is not None
    except (ValueError, re.error):
        return False


@dataclass(frozen=True)
class Rule:
    pattern: str
    exclude: bool
    """False for a ``!`` line, which re-includes."""

    def matches(self, path: str) -> bool:
        regex = _compiled(self.pattern, True)
        if regex.match(path):
            return True
        # A pattern that names a directory covers what is inside it.
        parts = path.split("/")
        return any(regex.match("/".join(parts[:i])) for i in range(1, len(parts)))


def _clean(pattern: str) -> str:
    cleaned = posixpath.normpath(pattern)
    if cleaned.startswith("/") and len(cleaned) > 1:
        cleaned = cleaned.lstrip("/")
    return cleaned


@dataclass(frozen=True)
class IgnoreRules:
    rules: tuple[Rule, ...] = field(default_factory=tuple)

    @classmethod
    def parse(cls, text: str) -> IgnoreRules:
        rules: list[Rule] = []
        for raw in text.splitlines():
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            exclude = True
            if line.startswith("!"):
                exclude, line = False, line[1:].strip()
                if not line:
                    raise BuildContextError("illegal exclusion pattern: \"!\" in .dockerignore")
            pattern = _clean(line)
            if pattern == ".":
                continue  # "." would exclude the whole context; Docker ignores it too
            try:
                _compiled(pattern, True)
            except (ValueError, re.error) as e:
                raise BuildContextError(f"syntax error in .dockerignore pattern {line!r}: {e}") from e
            rules.append(Rule(pattern, exclude))
        return cls(tuple(rules))

    @classmethod
    def load(cls, context_root: Path) -> IgnoreRules:
        try:
            text = (context_root / ".dockerignore").read_text(errors="replace")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return cls()
        return cls.parse(text)

    def reincludes_below(self, directory: str) -> bool:
        """Could a ``!`` line bring back something inside this excluded directory? Docker
        (the CLI's walk) asks only whether such a pattern starts with the directory."""
        prefix = directory + "/"
        return any(not r.exclude and (r.pattern + "/").startswith(prefix) for r in self.rules)

    def excluded(self, path: str) -> bool:
        """Is the context path (``dir/file``, relative, slash-separated) left out?"""
        if not self.rules or not path or path == ".":
            return False
        result = False
        for rule in self.rules:
            if rule.matches(path):
                result = rule.exclude
        return result
