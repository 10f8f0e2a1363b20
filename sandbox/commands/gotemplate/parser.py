"""Tokens to a tree: actions, pipelines and the if/range/with/else/end structure."""

from __future__ import annotations

from sandbox.errors import TemplateSyntaxError

from .lexer import Kind, Token, lex
from .nodes import (Action, Branch, Break, Chain, Command, Continue, Dot, Field, Identifier, ListNode,
                    Literal, Nil, Node, Pipeline, Text, Variable)


def _number(text: str) -> int | float:
    clean = text.replace("_", "")
    lowered = clean.lower().lstrip("+-")
    sign = -1 if clean.startswith("-") else 1
    if lowered.startswith(("0x", "0b", "0o")):
        return sign * int(lowered, 0)
    if any(c in lowered for c in ".e"):
        return float(clean)
    return int(clean)


class Parser:
    def __init__(self, text: str) -> None:
        self.tokens = lex(text)
        self.i = 0
        self.vars: list[list[str]] = [["$"]]
        self.range_depth = 0

    # -- token helpers ------------------------------------------------------------------

    def _peek(self, skip_space: bool = True) -> Token | None:
        j = self.i
        while j < len(self.tokens) and skip_space and self.tokens[j].kind == Kind.SPACE:
            j += 1
        return self.tokens[j] if j < len(self.tokens) else None

    def _next(self, skip_space: bool = True) -> Token:
        while skip_space and self.i < len(self.tokens) and self.tokens[self.i].kind == Kind.SPACE:
            self.i += 1
        if self.i >= len(self.tokens):
            last = self.tokens[-1] if self.tokens else Token(Kind.TEXT, "", 1, 0)
            raise TemplateSyntaxError("unexpected EOF", last.line, last.col)
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def _expect(self, kind: Kind, context: str) -> Token:
        tok = self._next()
        if tok.kind != kind:
            raise TemplateSyntaxError(f"unexpected {tok.value!r} in {context}", tok.line, tok.col)
        return tok

    # -- structure ----------------------------------------------------------------------

    def parse(self) -> ListNode:
        body, end = self._list()
        if end is not None:
            raise TemplateSyntaxError(f"unexpected {{{{{end.value}}}}}", end.line, end.col)
        return body

    def _list(self) -> tuple[ListNode, Token | None]:
        """Nodes until ``{{end}}``/``{{else}}`` (returned) or the end of input (None)."""
        out = ListNode()
        while self.i < len(self.tokens):
            tok = self._next(skip_space=False)
            if tok.kind == Kind.TEXT:
                out.nodes.append(Text(tok.value, line=tok.line, col=tok.col))
                continue
            assert tok.kind == Kind.LEFT
            nxt = self._peek()
            if nxt is not None and nxt.kind == Kind.COMMENT:
                self._next()
                self._expect(Kind.RIGHT, "comment")
                continue
            if nxt is not None and nxt.kind == Kind.IDENT and nxt.value in ("end", "else"):
                self._next()
                return out, nxt
            out.nodes.append(self._action())
        return out, None

    def _action(self) -> Node:
        tok = self._peek()
        assert tok is not None
        if tok.kind == Kind.IDENT and tok.value in ("if", "range", "with"):
            self._next()
            return self._branch(tok)
        if tok.kind == Kind.IDENT and tok.value in ("break", "continue"):
            self._next()
            if not self.range_depth:
                raise TemplateSyntaxError(f"{{{{{tok.value}}}}} outside {{{{range}}}}", tok.line, tok.col)
            self._expect(Kind.RIGHT, tok.value)
            return Break(line=tok.line, col=tok.col) if tok.value == "break" else Continue(line=tok.line, col=tok.col)
        if tok.kind == Kind.IDENT and tok.value in ("define", "template", "block"):
            raise TemplateSyntaxError(f"{{{{{tok.value}}}}} is not supported here", tok.line, tok.col)
        pipe = self._pipeline("command", allow_decl=True)
        return Action(pipe, line=tok.line, col=tok.col)

    def _branch(self, keyword: Token) -> Branch:
        self.vars.append([])
        kind = keyword.value
        pipe = self._pipeline(kind, allow_decl=True, range_decl=kind == "range")
        if kind == "range":
            self.range_depth += 1
        body, end = self._list()
        if kind == "range":
            self.range_depth -= 1
        if end is None:
            raise TemplateSyntaxError(f"unexpected EOF: {{{{{kind}}}}} without {{{{end}}}}", keyword.line, keyword.col)
        else_body: ListNode | None = None
        if end.value == "else":
            nxt = self._peek()
            if nxt is not None and nxt.kind == Kind.IDENT and nxt.value in ("if", "with") and kind in ("if", "with"):
                # {{else if …}} is an {{if}} nested in the else branch that shares our {{end}}.
                self._next()
                nested = self._branch(nxt)
                else_body = ListNode([nested], line=nxt.line, col=nxt.col)
                self.vars.pop()
                return Branch(kind, pipe, body, else_body, line=keyword.line, col=keyword.col)
            self._expect(Kind.RIGHT, "else")
            else_body, end2 = self._list()
            if end2 is None or end2.value != "end":
                raise TemplateSyntaxError(f"expected {{{{end}}}} after {{{{else}}}} in {kind}", end.line, end.col)
            self._expect(Kind.RIGHT, "end")
        else:
            self._expect(Kind.RIGHT, "end")
        self.vars.pop()
        return Branch(kind, pipe, body, else_body, line=keyword.line, col=keyword.col)

    def _pipeline(self, context: str, allow_decl: bool = False, range_decl: bool = False,
                  closer: Kind = Kind.RIGHT) -> Pipeline:
        first = self._peek()
        assert first is not None
        pipe = Pipeline([], line=first.line, col=first.col)
        if allow_decl and first.kind == Kind.VARIABLE:
            save = self.i
            names = [self._next().value]
            if range_decl and self._peek() is not None and self._peek().kind == Kind.COMMA:  # type: ignore[union-attr]
                self._next()
                names.append(self._expect(Kind.VARIABLE, "range declaration").value)
            op = self._peek()
            if op is not None and op.kind in (Kind.DECLARE, Kind.ASSIGN):
                self._next()
                pipe.decl = names
                pipe.is_assign = op.kind == Kind.ASSIGN
                if op.kind == Kind.DECLARE:
                    self.vars[-1].extend(names)
                else:
                    for name in names:
                        self._check_var(name, first)
            else:
                self.i = save
        while True:
            tok = self._peek()
            if tok is None:
                raise TemplateSyntaxError(f"unclosed action in {context}", first.line, first.col)
            if tok.kind == closer:
                self._next()
                break
            pipe.commands.append(self._command(context, closer))
            tok = self._peek()
            if tok is not None and tok.kind == Kind.PIPE:
                self._next()
                continue
        if not pipe.commands:
            raise TemplateSyntaxError(f"missing value for {context}", first.line, first.col)
        return pipe

    def _check_var(self, name: str, tok: Token) -> None:
        if not any(name in scope for scope in self.vars):
            raise TemplateSyntaxError(f"undefined variable {name!r}", tok.line, tok.col)

    def _command(self, context: str, closer: Kind) -> Command:
        args: list[Node] = []
        first = self._peek()
        assert first is not None
        while True:
            tok = self._peek(skip_space=False)
            if tok is None:
                raise TemplateSyntaxError("unexpected EOF in command", first.line, first.col)
            if tok.kind == Kind.SPACE:
                self._next(skip_space=False)
                continue
            if tok.kind in (closer, Kind.PIPE, Kind.RIGHT, Kind.RPAREN):
                break
            args.append(self._operand())
            after = self._peek(skip_space=False)
            if after is not None and after.kind not in (Kind.SPACE, Kind.PIPE, Kind.RIGHT, Kind.RPAREN, closer):
                # Go wants a space between arguments: {{json.}} is an error, not json(.)
                raise TemplateSyntaxError(f"unexpected <{after.value}> in operand", after.line, after.col)
        if not args:
            raise TemplateSyntaxError(f"missing command in {context}", first.line, first.col)
        return Command(args, line=first.line, col=first.col)

    def _operand(self) -> Node:
        tok = self._next()
        where = {"line": tok.line, "col": tok.col}
        node: Node
        if tok.kind == Kind.FIELD:
            names = [tok.value] + self._fields()
            return Field(names, **where)
        if tok.kind == Kind.DOT:
            node = Dot(**where)
        elif tok.kind == Kind.VARIABLE:
            self._check_var(tok.value, tok)
            return Variable(tok.value, self._fields(), **where)
        elif tok.kind == Kind.IDENT:
            if tok.value == "nil":
                node = Nil(**where)
            elif tok.value in ("true", "false"):
                node = Literal(tok.value == "true", tok.value, **where)
            elif tok.value in ("if", "else", "end", "range", "with", "break", "continue"):
                raise TemplateSyntaxError(f"unexpected {tok.value!r} in operand", tok.line, tok.col)
            else:
                node = Identifier(tok.value, **where)
        elif tok.kind == Kind.STRING:
            node = Literal(tok.value, '"' + tok.value + '"', **where)
        elif tok.kind == Kind.NUMBER:
            node = Literal(_number(tok.value), tok.value, **where)
        elif tok.kind == Kind.CHAR:
            node = Literal(ord(tok.value), repr(tok.value), **where)
        elif tok.kind == Kind.LPAREN:
            node = self._pipeline("parenthesized pipeline", closer=Kind.RPAREN)
        else:
            raise TemplateSyntaxError(f"unexpected {tok.value!r} in operand", tok.line, tok.col)
        names = self._fields()
        return Chain(node, names, **where) if names else node

    def _fields(self) -> list[str]:
        """Field names directly attached (no space) to the previous operand."""
        names: list[str] = []
        while self.i < len(self.tokens) and self.tokens[self.i].kind == Kind.FIELD:
            names.append(self.tokens[self.i].value)
            self.i += 1
        return names


def parse(text: str) -> ListNode:
    return Parser(text).parse()
