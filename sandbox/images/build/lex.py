"""Words and variables in Dockerfile arguments, as Docker's shell lexer reads them.

Docker expands ``$VAR``, ``${VAR}``, ``${VAR:-default}``, ``${VAR:+alternative}`` (and the
forms without the colon) in the arguments of ADD, COPY, ENV, EXPOSE, FROM, LABEL,
STOPSIGNAL, USER, VOLUME and WORKDIR, but not in RUN, CMD or ENTRYPOINT: a shell expands
those when the container runs. Quotes group words and are removed; inside single quotes
nothing is special; the escape character (``\\`` or a backtick, per the ``# escape=``
directive) takes the next character literally.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sandbox.errors import DockerfileParseError


def _is_name_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


@dataclass(frozen=True)
class Lexer:
    escape: str = "\\"
    line: int = 0
    """The Dockerfile line the text comes from, for error messages."""

    def word(self, text: str, env: Mapping[str, str]) -> str:
        """``text`` as one word: variables expanded, quotes and escapes removed."""
        return "".join(_Scan(self, text, env, split=False).run())

    def words(self, text: str, env: Mapping[str, str] | None = None) -> list[str]:
        """``text`` split at unquoted blanks, each word processed like ``word``. With
        ``env`` None nothing is expanded (quotes are still removed)."""
        return _Scan(self, text, env, split=True).run()

    def raw_words(self, text: str) -> list[str]:
        """Split at unquoted blanks, keeping quotes and escapes: ENV and LABEL split their
        ``k=v`` pairs this way first and process each half afterwards."""
        out: list[str] = []
        cur: list[str] = []
        quote = ""
        i = 0
        while i < len(text):
            ch = text[i]
            if ch == self.escape and quote != "'" and i + 1 < len(text):
                cur += [ch, text[i + 1]]
                i += 2
                continue
            if quote:
                if ch == quote:
                    quote = ""
            elif ch in "'\"":
                quote = ch
            elif ch.isspace():
                if cur:
                    out.append("".join(cur))
                    cur = []
                i += 1
                continue
            cur.append(ch)
            i += 1
        if quote:
            raise DockerfileParseError(self.line,
                                       f"unexpected end of statement while looking for matching {quote}")
        if cur:
            out.append("".join(cur))
        return out


class _Scan:
    """One left-to-right pass over a text; ``run`` returns the words."""

    def __init__(self, lex: Lexer, text: str, env: Mapping[str, str] | None, split: bool) -> None:
        self.lex = lex
        self.text = text
        self.env = env
        self.split = split
        self.i = 0

    def _peek(self) -> str:
        return self.text[self.i] if self.i < len(self.text) else ""

    def _next(self) -> str:
        ch = self._peek()
        self.i += 1
        return ch

    def run(self, stop: str = "") -> list[str]:
        words: list[str] = []
        cur: list[str] = []
        started = False
        while self.i < len(self.text):
            ch = self._peek()
            if stop and ch == stop:
                break
            if self.split and ch.isspace():
                self.i += 1
                if started:
                    words.append("".join(cur))
                    cur, started = [], False
                continue
            started = True
            self.i += 1
            if ch == self.lex.escape:
                if self.i < len(self.text):
                    cur.append(self._next())
                else:
                    cur.append(ch)  # a trailing escape stays, as in Docker
            elif ch == "'":
                cur.append(self._single_quoted())
            elif ch == '"':
                cur.append(self._double_quoted())
            elif ch == "$" and self.env is not None:
                cur.append(self._dollar())
            else:
                cur.append(ch)
        if started or not self.split:
            words.append("".join(cur))
        return words

    def _single_quoted(self) -> str:
        end = self.text.find("'", self.i)
        if end < 0:
            raise DockerfileParseError(self.lex.line,
                                       "unexpected end of statement while looking for matching '")
        out = self.text[self.i:end]
        self.i = end + 1
        return out

    def _double_quoted(self) -> str:
        out: list[str] = []
        while True:
            if self.i >= len(self.text):
                raise DockerfileParseError(self.lex.line,
                                           'unexpected end of statement while looking for matching "')
            ch = self._next()
            if ch == '"':
                return "".join(out)
            if ch == self.lex.escape and self._peek() in ('"', "$", self.lex.escape):
                out.append(self._next())
            elif ch == "$" and self.env is not None:
                out.append(self._dollar())
            else:
                out.append(ch)

    def _dollar(self) -> str:
        assert self.env is not None
        ch = self._peek()
        if ch == "{":
            self.i += 1
            return self._braced()
        if ch and _is_name_char(ch):
            start = self.i
            while self._peek() and _is_name_char(self._peek()):
                self.i += 1
            return self.env.get(self.text[start:self.i], "")
        return "$"

    def _braced(self) -> str:
        assert self.env is not None
        start = self.i
        while self._peek() and _is_name_char(self._peek()):
            self.i += 1
        name = self.text[start:self.i]
        if not name:
            raise DockerfileParseError(self.lex.line, f"missing variable name in {self.text!r}")
        ch = self._next()
        if ch == "}":
            return self.env.get(name, "")
        colon = ch == ":"
        if colon:
            ch = self._next()
        if ch not in ("-", "+", "?"):
            raise DockerfileParseError(self.lex.line, f"unsupported modifier ({ch or 'end'}) in substitution "
                                                      f"of {name} in {self.text!r}")
        # The word after the modifier may itself hold variables and quotes.
        inner = _Scan(self.lex, self.text, self.env, split=False)
        inner.i = self.i
        word = "".join(inner.run(stop="}"))
        self.i = inner.i
        if self._next() != "}":
            raise DockerfileParseError(self.lex.line, f"missing '}}' in {self.text!r}")
        value = self.env.get(name)
        is_set = value is not None and (value != "" or not colon)
        if ch == "-":
            return value if is_set else word  # type: ignore[return-value]
        if ch == "+":
            return word if is_set else ""
        if not is_set:
            raise DockerfileParseError(self.lex.line, f"{name}: {word or 'is not allowed to be unset'}")
        return value  # type: ignore[return-value]
