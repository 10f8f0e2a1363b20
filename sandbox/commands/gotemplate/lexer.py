"""Tokens of Go's text/template: text between actions, and the words inside ``{{ }}``.

Trim markers follow Go: ``{{- `` drops the whitespace before the action, `` -}}`` the
whitespace after it; the dash must be followed (or preceded) by a space, so ``{{-3}}`` is
the number -3.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum, auto

from sandbox.errors import TemplateSyntaxError


class Kind(Enum):
    TEXT = auto()
    LEFT = auto()        # {{
    RIGHT = auto()       # }}
    FIELD = auto()       # .Name
    DOT = auto()         # .
    VARIABLE = auto()    # $ or $name
    IDENT = auto()       # a function or keyword
    STRING = auto()      # "quoted" or `raw`, value already unescaped
    NUMBER = auto()
    CHAR = auto()        # 'x'
    PIPE = auto()        # |
    LPAREN = auto()
    RPAREN = auto()
    DECLARE = auto()     # :=
    ASSIGN = auto()      # =
    COMMA = auto()
    SPACE = auto()
    COMMENT = auto()


KEYWORDS = {"if", "else", "end", "range", "with", "break", "continue", "nil", "true", "false",
            "define", "template", "block"}


@dataclass(frozen=True)
class Token:
    kind: Kind
    value: str
    line: int
    col: int


_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v",
            "\\": "\\", "'": "'", '"': '"'}


def unquote(body: str, line: int, col: int) -> str:
    """Go's interpreted string literal rules (strconv.Unquote) for the body between quotes."""
    out: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        i += 1
        if i >= len(body):
            raise TemplateSyntaxError("unterminated escape in string", line, col)
        esc = body[i]
        if esc in _ESCAPES:
            out.append(_ESCAPES[esc])
            i += 1
        elif esc in "xuU":
            width = {"x": 2, "u": 4, "U": 8}[esc]
            digits = body[i + 1:i + 1 + width]
            if len(digits) != width or not re.fullmatch(r"[0-9a-fA-F]+", digits):
                raise TemplateSyntaxError(f"bad \\{esc} escape in string", line, col)
            out.append(chr(int(digits, 16)))
            i += 1 + width
        elif esc in "01234567":
            digits = body[i:i + 3]
            if not re.fullmatch(r"[0-7]{3}", digits):
                raise TemplateSyntaxError("bad octal escape in string", line, col)
            out.append(chr(int(digits, 8)))
            i += 3
        else:
            raise TemplateSyntaxError(f"unknown escape sequence \\{esc}", line, col)
    return "".join(out)


_NUMBER = re.compile(r"[+-]?(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|(\d[\d_]*)?\.?\d[\d_]*([eE][+-]?\d+)?)")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class Lexer:
    def __init__(self, text: str, left: str = "{{", right: str = "}}") -> None:
        self.text = text
        self.left = left
        self.right = right
        self.tokens: list[Token] = []
        self.pos = 0

    def _where(self, pos: int) -> tuple[int, int]:
        line = self.text.count("\n", 0, pos) + 1
        col = pos - (self.text.rfind("\n", 0, pos) + 1)
        return line, col

    def _emit(self, kind: Kind, value: str, pos: int) -> None:
        line, col = self._where(pos)
        self.tokens.append(Token(kind, value, line, col))

    def run(self) -> list[Token]:
        text = self.text
        while self.pos < len(text):
            start = text.find(self.left, self.pos)
            if start < 0:
                self._emit(Kind.TEXT, text[self.pos:], self.pos)
                break
            inner = start + len(self.left)
            trim_left = text.startswith("-", inner) and inner + 1 < len(text) and text[inner + 1] in " \t\r\n"
            chunk = text[self.pos:start]
            if trim_left:
                chunk = chunk.rstrip(" \t\r\n")
            if chunk:
                self._emit(Kind.TEXT, chunk, self.pos)
            self._emit(Kind.LEFT, self.left, start)
            self.pos = inner + (2 if trim_left else 0)
            trim_right = self._action()
            if trim_right:
                while self.pos < len(text) and text[self.pos] in " \t\r\n":
                    self.pos += 1
        return self.tokens

    def _action(self) -> bool:
        """Lex up to and including the right delimiter; True if it trims what follows."""
        text = self.text
        # A comment must be the whole action: {{/* … */}}
        if text.startswith("/*", self.pos):
            end = text.find("*/", self.pos)
            if end < 0:
                raise TemplateSyntaxError("unclosed comment", *self._where(self.pos))
            self.pos = end + 2
            trim = False
            if text.startswith(" -" + self.right, self.pos):
                trim, self.pos = True, self.pos + 2
            if not text.startswith(self.right, self.pos):
                raise TemplateSyntaxError("comment ends before closing delimiter", *self._where(self.pos))
            self._emit(Kind.COMMENT, "", self.pos)
            self._emit(Kind.RIGHT, self.right, self.pos)
            self.pos += len(self.right)
            return trim
        depth = 0
        while True:
            if self.pos >= len(text):
                raise TemplateSyntaxError("unclosed action", *self._where(self.pos))
            if depth == 0 and text.startswith(" -" + self.right, self.pos):
                self._emit(Kind.RIGHT, self.right, self.pos + 2)
                self.pos += 2 + len(self.right)
                return True
            if text.startswith(self.right, self.pos):
                if depth:
                    raise TemplateSyntaxError("unclosed left paren", *self._where(self.pos))
                self._emit(Kind.RIGHT, self.right, self.pos)
                self.pos += len(self.right)
                return False
            ch = text[self.pos]
            start = self.pos
            if ch in " \t\r\n":
                while self.pos < len(text) and text[self.pos] in " \t\r\n":
                    if text.startswith(" -" + self.right, self.pos):
                        break
                    self.pos += 1
                if self.pos > start:
                    self._emit(Kind.SPACE, " ", start)
                continue
            if ch == "|":
                self._emit(Kind.PIPE, ch, start)
                self.pos += 1
            elif ch == "(":
                depth += 1
                self._emit(Kind.LPAREN, ch, start)
                self.pos += 1
            elif ch == ")":
                depth -= 1
                if depth < 0:
                    raise TemplateSyntaxError("unexpected right paren", *self._where(start))
                self._emit(Kind.RPAREN, ch, start)
                self.pos += 1
            elif ch == ",":
                self._emit(Kind.COMMA, ch, start)
                self.pos += 1
            elif text.startswith(":=", self.pos):
                self._emit(Kind.DECLARE, ":=", start)
                self.pos += 2
            elif ch == "=":
                self._emit(Kind.ASSIGN, "=", start)
                self.pos += 1
            elif ch == '"':
                end = self.pos + 1
                while end < len(text) and text[end] != '"':
                    if text[end] == "\n":
                        raise TemplateSyntaxError("unterminated quoted string", *self._where(start))
                    end += 2 if text[end] == "\\" else 1
                if end >= len(text):
                    raise TemplateSyntaxError("unterminated quoted string", *self._where(start))
                self._emit(Kind.STRING, unquote(text[self.pos + 1:end], *self._where(start)), start)
                self.pos = end + 1
            elif ch == "`":
                end = text.find("`", self.pos + 1)
                if end < 0:
                    raise TemplateSyntaxError("unterminated raw quoted string", *self._where(start))
                self._emit(Kind.STRING, text[self.pos + 1:end], start)
                self.pos = end + 1
            elif ch == "'":
                end = text.find("'", self.pos + 1)
                if end < 0:
                    raise TemplateSyntaxError("unterminated character constant", *self._where(start))
                value = unquote(text[self.pos + 1:end], *self._where(start))
                if len(value) != 1:
                    raise TemplateSyntaxError("malformed character constant", *self._where(start))
                self._emit(Kind.CHAR, value, start)
                self.pos = end + 1
            elif ch == "$":
                m = _IDENT.match(text, self.pos + 1)
                name = "$" + (m.group(0) if m else "")
                self._emit(Kind.VARIABLE, name, start)
                self.pos += len(name)
            elif ch == ".":
                m = _IDENT.match(text, self.pos + 1)
                if m:
                    self._emit(Kind.FIELD, m.group(0), start)
                    self.pos = m.end()
                elif self.pos + 1 < len(text) and text[self.pos + 1].isdigit():
                    self._number(start)
                else:
                    self._emit(Kind.DOT, ".", start)
                    self.pos += 1
            elif ch.isdigit() or (ch in "+-" and self.pos + 1 < len(text) and (text[self.pos + 1].isdigit() or text[self.pos + 1] == ".")):
                self._number(start)
            elif ch.isalpha() or ch == "_":
                m = _IDENT.match(text, self.pos)
                assert m is not None
                self._emit(Kind.IDENT, m.group(0), start)
                self.pos = m.end()
            else:
                raise TemplateSyntaxError(f"unexpected {ch!r} in command", *self._where(start))

    def _number(self, start: int) -> None:
        m = _NUMBER.match(self.text, self.pos)
        if not m or not m.group(0):
            raise TemplateSyntaxError("bad number syntax", *self._where(start))
        end = m.end()
        if end < len(self.text) and (self.text[end].isalnum() or self.text[end] == "_"):
            raise TemplateSyntaxError(f"bad number syntax: {self.text[start:end + 1]!r}", *self._where(start))
        self._emit(Kind.NUMBER, m.group(0), start)
        self.pos = end


def lex(text: str) -> list[Token]:
    return Lexer(text).run()
