"""The parse tree of a template. Argument nodes evaluate to values; list nodes produce text."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Node:
    line: int = field(default=0, kw_only=True)
    col: int = field(default=0, kw_only=True)


# -- arguments ------------------------------------------------------------------------------

@dataclass
class Dot(Node):
    pass


@dataclass
class Field(Node):
    """``.A.B``: fields looked up from dot."""

    names: list[str]


@dataclass
class Variable(Node):
    """``$x.A.B``: a variable and an optional field chain."""

    name: str
    names: list[str] = field(default_factory=list)


@dataclass
class Chain(Node):
    """``(pipeline).A.B`` — fields of a computed value."""

    node: Node
    names: list[str]


@dataclass
class Identifier(Node):
    """A function name."""

    name: str


@dataclass
class Literal(Node):
    value: object
    text: str = ""


@dataclass
class Nil(Node):
    pass


@dataclass
class Command(Node):
    args: list[Node]


@dataclass
class Pipeline(Node):
    commands: list[Command]
    decl: list[str] = field(default_factory=list)
    is_assign: bool = False


# -- template structure ---------------------------------------------------------------------

@dataclass
class ListNode(Node):
    nodes: list[Node] = field(default_factory=list)


@dataclass
class Text(Node):
    text: str


@dataclass
class Action(Node):
    pipe: Pipeline


@dataclass
class Branch(Node):
    """if / range / with: ``kind`` says which."""

    kind: str
    pipe: Pipeline
    body: ListNode
    else_body: ListNode | None = None


@dataclass
class Break(Node):
    pass


@dataclass
class Continue(Node):
    pass


def describe(node: Node) -> str:
    """The source-like text Go prints in ``executing "" at <…>``."""
    if isinstance(node, Dot):
        return "."
    if isinstance(node, Field):
        return "".join("." + n for n in node.names)
    if isinstance(node, Variable):
        return node.name + "".join("." + n for n in node.names)
    if isinstance(node, Chain):
        return f"({describe(node.node)})" + "".join("." + n for n in node.names)
    if isinstance(node, Identifier):
        return node.name
    if isinstance(node, Literal):
        return node.text or repr(node.value)
    if isinstance(node, Nil):
        return "nil"
    if isinstance(node, Command):
        return " ".join(describe(a) for a in node.args)
    if isinstance(node, Pipeline):
        decl = (", ".join(node.decl) + (" = " if node.is_assign else " := ")) if node.decl else ""
        return decl + " | ".join(describe(c) for c in node.commands)
    return type(node).__name__
