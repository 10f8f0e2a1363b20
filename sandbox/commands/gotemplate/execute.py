"""Running a parsed template over data, with Go's rules for dot, variables and pipelines."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal as TypingLiteral

from sandbox.errors import TemplateExecError

from .funcs import Func, FuncError
from .nodes import (Action, Branch, Break, Chain, Command, Continue, Dot, Field, Identifier, ListNode,
                    Literal, Nil, Node, Pipeline, Text, Variable, describe)
from .values import MISSING, GoNil, Omitted, go_print, truth, type_name

MissingKey = TypingLiteral["default", "error"]
_NO_FINAL = object()


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


class Executor:
    def __init__(self, funcs: Mapping[str, Func], missingkey: MissingKey = "default") -> None:
        self.funcs = funcs
        self.missingkey = missingkey
        self.out: list[str] = []
        self.vars: list[tuple[str, object]] = []
        self.node: Node | None = None

    def run(self, tree: ListNode, data: object) -> str:
        self.vars = [("$", data)]
        self.out = []
        self._walk_list(data, tree)
        return "".join(self.out)

    # -- errors ---------------------------------------------------------------------------

    def _fail(self, problem: str, node: Node | None = None) -> TemplateExecError:
        node = node or self.node
        return TemplateExecError(problem, node.line if node else 0, node.col if node else 0,
                                 describe(node) if node else "")

    # -- structure ------------------------------------------------------------------------

    def _walk_list(self, dot: object, body: ListNode) -> None:
        for node in body.nodes:
            self._walk(dot, node)

    def _walk(self, dot: object, node: Node) -> None:
        if isinstance(node, Text):
            self.out.append(node.text)
        elif isinstance(node, Action):
            value = self._pipeline(dot, node.pipe)
            if not node.pipe.decl:
                self.out.append(go_print(value))
        elif isinstance(node, Branch):
            mark = len(self.vars)
            try:
                getattr(self, "_" + node.kind)(dot, node)
            finally:
                del self.vars[mark:]
        elif isinstance(node, Break):
            raise _Break()
        elif isinstance(node, Continue):
            raise _Continue()
        else:
            raise self._fail(f"unknown node {type(node).__name__}", node)

    def _if(self, dot: object, node: Branch) -> None:
        if truth(self._pipeline(dot, node.pipe)):
            self._walk_list(dot, node.body)
        elif node.else_body is not None:
            self._walk_list(dot, node.else_body)

    def _with(self, dot: object, node: Branch) -> None:
        value = self._pipeline(dot, node.pipe)
        if truth(value):
            self._walk_list(value, node.body)
        elif node.else_body is not None:
            self._walk_list(dot, node.else_body)

    def _range(self, dot: object, node: Branch) -> None:
        value = self._pipeline(dot, node.pipe, declare=False)
        items: list[tuple[object, object]]
        if isinstance(value, Mapping):
            items = [(k, value[k]) for k in sorted(value, key=lambda k: (not isinstance(k, (int, float)), k))]
        elif isinstance(value, (list, tuple)):
            items = list(enumerate(value))
        elif isinstance(value, int) and not isinstance(value, bool):
            items = [(i, i) for i in range(value)]
        elif value is None or value is MISSING or isinstance(value, (GoNil, Omitted)):
            items = []
        else:
            raise self._fail(f"range can't iterate over {go_print(value)}", node)
        if not items:
            if node.else_body is not None:
                self._walk_list(dot, node.else_body)
            return
        mark = len(self.vars)
        for key, elem in items:
            del self.vars[mark:]
            names = node.pipe.decl
            if len(names) == 1:
                self.vars.append((names[0], elem))
            elif len(names) == 2:
                self.vars.append((names[0], key))
                self.vars.append((names[1], elem))
            try:
                self._walk_list(elem, node.body)
            except _Continue:
                continue
            except _Break:
                break

    # -- pipelines ------------------------------------------------------------------------

    def _pipeline(self, dot: object, pipe: Pipeline, declare: bool = True) -> object:
        value: object = _NO_FINAL
        for cmd in pipe.commands:
            value = self._command(dot, cmd, value)
        if pipe.decl and declare:
            if pipe.is_assign:
                self._assign(pipe.decl[0], value, pipe)
            else:
                self.vars.append((pipe.decl[0], value))
        return value

    def _assign(self, name: str, value: object, node: Node) -> None:
        for i in range(len(self.vars) - 1, -1, -1):
            if self.vars[i][0] == name:
                self.vars[i] = (name, value)
                return
        raise self._fail(f"undefined variable: {name}", node)

    def _command(self, dot: object, cmd: Command, final: object) -> object:
        first = cmd.args[0]
        self.node = first
        if isinstance(first, Field):
            return self._fields(dot, dot, first.names, cmd.args[1:], final, first)
        if isinstance(first, Chain):
            receiver = self._arg(dot, first.node)
            return self._fields(dot, receiver, first.names, cmd.args[1:], final, first)
        if isinstance(first, Variable):
            receiver = self._variable(first.name, first)
            if not first.names:
                self._no_args(cmd, first)
                return self._no_final(receiver, final, first)
            return self._fields(dot, receiver, first.names, cmd.args[1:], final, first)
        if isinstance(first, Identifier):
            return self._call(dot, first, cmd.args[1:], final)
        self._no_args(cmd, first)
        return self._no_final(self._arg(dot, first), final, first)

    def _no_args(self, cmd: Command, node: Node) -> None:
        if len(cmd.args) > 1:
            raise self._fail(f"can't give argument to non-function {describe(node)}", node)

    def _no_final(self, value: object, final: object, node: Node) -> object:
        if final is not _NO_FINAL:
            raise self._fail(f"can't give argument to non-function {describe(node)}", node)
        return value

    def _variable(self, name: str, node: Node) -> object:
        for var, value in reversed(self.vars):
            if var == name:
                return value
        raise self._fail(f"undefined variable: {name}", node)

    def _arg(self, dot: object, node: Node) -> object:
        self.node = node
        if isinstance(node, Dot):
            return dot
        if isinstance(node, Nil):
            return None
        if isinstance(node, Literal):
            return node.value
        if isinstance(node, Field):
            return self._fields(dot, dot, node.names, [], _NO_FINAL, node)
        if isinstance(node, Variable):
            value = self._variable(node.name, node)
            return self._fields(dot, value, node.names, [], _NO_FINAL, node) if node.names else value
        if isinstance(node, Chain):
            return self._fields(dot, self._arg(dot, node.node), node.names, [], _NO_FINAL, node)
        if isinstance(node, Pipeline):
            mark = len(self.vars)
            try:
                return self._pipeline(dot, node)
            finally:
                del self.vars[mark:]
        if isinstance(node, Identifier):
            return self._call(dot, node, [], _NO_FINAL)
        raise self._fail(f"can't handle {describe(node)}", node)

    def _fields(self, dot: object, receiver: object, names: list[str], args: list[Node], final: object,
                node: Node) -> object:
        for i, name in enumerate(names):
            last = i == len(names) - 1
            receiver = self._field(dot, receiver, name, args if last else [], final if last else _NO_FINAL,
                                   node)
        return receiver

    def _field(self, dot: object, receiver: object, name: str, args: list[Node], final: object,
               node: Node) -> object:
        has_args = bool(args) or final is not _NO_FINAL
        if isinstance(receiver, Mapping):
            if has_args:
                raise self._fail(f"{name} is not a method but has arguments", node)
            if name in receiver:
                return receiver[name]
            if self.missingkey == "error":
                raise self._fail(f"map has no entry for key {name!r}".replace("'", '"'), node)
            return MISSING
        if receiver is None or receiver is MISSING or isinstance(receiver, (GoNil, Omitted)):
            if isinstance(receiver, GoNil) and receiver.shape == "map[]":
                return MISSING
            raise self._fail(f"nil pointer evaluating {type_name(receiver)}.{name}", node)
        if isinstance(receiver, (str, int, float, bool, list, tuple)) or not name[:1].isupper():
            raise self._fail(f"can't evaluate field {name} in type {type_name(receiver)}", node)
        attr = getattr(receiver, name, _NO_FINAL)
        if attr is _NO_FINAL:
            raise self._fail(f"can't evaluate field {name} in type {type_name(receiver)}", node)
        if callable(attr):
            values = [self._arg(dot, a) for a in args]
            if final is not _NO_FINAL:
                values.append(final)
            try:
                return attr(*values)
            except TypeError as err:
                raise self._fail(f"wrong number of args for {name}: {err}", node) from None
        if has_args:
            raise self._fail(f"{name} is not a method but has arguments", node)
        return attr

    def _call(self, dot: object, ident: Identifier, args: list[Node], final: object) -> object:
        name = ident.name
        if name in ("and", "or"):
            nodes = list(args)
            if not nodes and final is _NO_FINAL:
                raise self._fail(f"wrong number of args for {name}: want at least 1 got 0", ident)
            value: object = None
            for a in nodes:
                value = self._arg(dot, a)
                if truth(value) != (name == "and"):
                    return value
            if final is not _NO_FINAL:
                value = final
            return value
        fn = self.funcs.get(name)
        if fn is None:
            raise self._fail(f'function "{name}" not defined', ident)
        values = [self._arg(dot, a) for a in args]
        if final is not _NO_FINAL:
            values.append(final)
        self.node = ident
        try:
            return fn(*values)
        except FuncError as err:
            raise self._fail(f"error calling {name}: {err}" if not str(err).startswith("error calling")
                             else str(err), ident) from None
        except (TypeError, ValueError, AttributeError) as err:
            raise self._fail(f"error calling {name}: {err}", ident) from None
