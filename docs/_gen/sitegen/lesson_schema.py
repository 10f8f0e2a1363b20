"""The lesson format's field tables, generated from the dataclasses the validator builds.

``sandbox.lessons.schema`` reads a ``lesson.yaml`` by the type hints of the dataclasses in
``sandbox.lessons.model`` and of the check types in ``sandbox.lessons.checks.REGISTRY``;
these tables are made from the same hints (and the fields' docstrings), so a field the
validator accepts is a field the teachers' guide lists.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import itertools
import textwrap
import types
from typing import Annotated, Any, Literal, Union, get_args, get_origin, get_type_hints

from .markdown import cell


def field_docs(cls: type) -> dict[str, str]:
    """The docstring under each field (Python keeps none at run time; the source has them)."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    except (OSError, TypeError, SyntaxError):
        return {}
    body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.ClassDef) else []
    docs: dict[str, str] = {}
    for node, after in itertools.pairwise(body):
        if (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
                and isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant)
                and isinstance(after.value.value, str)):
            docs[node.target.id] = " ".join(after.value.value.split())
    return docs


def type_name(hint: Any, nested: list[type]) -> str:
    """How a table names what a field takes; nested dataclasses are collected for their
    own tables."""
    from sandbox.lessons.schema import Converter

    origin = get_origin(hint)
    if origin is Annotated:
        converter = next((m for m in get_args(hint)[1:] if isinstance(m, Converter)), None)
        return converter.name if converter else type_name(get_args(hint)[0], nested)
    if hint is Any:
        return "anything"
    if origin in (Union, types.UnionType):
        options = [o for o in get_args(hint) if o is not type(None)]
        return " or ".join(type_name(o, nested) for o in options)
    if origin is Literal:
        return "one of " + ", ".join(f"`{c}`" for c in get_args(hint))
    if origin is list:
        return "a list of " + type_name(get_args(hint)[0], nested)
    if origin is dict:
        return "a mapping of " + type_name(get_args(hint)[1], nested)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        if hint not in nested:
            nested.append(hint)
        return f"[{hint.__name__}](#{hint.__name__.lower()})"
    return {bool: "true or false", int: "a whole number", float: "a number", str: "a text"}.get(
        hint, getattr(hint, "__name__", str(hint)))


def _yaml_value(value: Any) -> str:
    """A default as an author would write it in YAML."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if dataclasses.is_dataclass(value):
        return "its defaults"
    if isinstance(value, list):
        return "`[" + ", ".join(str(v) for v in value) + "]`"
    if isinstance(value, dict):
        return "`{}`" if not value else f"`{value}`"
    return f"`{value}`"


def _default(f: dataclasses.Field[Any]) -> str:
    if f.default is not dataclasses.MISSING:
        return _yaml_value(f.default)
    if f.default_factory is not dataclasses.MISSING:
        return _yaml_value(f.default_factory())
    return "**required**"


def _md(text: str) -> str:
    """Docstrings use reST literals (``x``); Markdown wants one backtick."""
    return text.replace("``", "`")


def table(cls: type, nested: list[type], key: str | None = None) -> list[str]:
    from sandbox.lessons.schema import schema_fields

    hints = get_type_hints(cls, include_extras=True)
    docs = field_docs(cls)
    title = key or cls.__name__
    out = [f"### {title} {{#{cls.__name__.lower()}}}", ""]
    intro = inspect.getdoc(cls)
    if intro and not intro.startswith(f"{cls.__name__}("):
        out += [_md(intro.split("\n\n")[0].replace("\n", " ")), ""]
    out += ["| field | takes | default | meaning |", "|---|---|---|---|"]
    for name, f in schema_fields(cls).items():
        out.append(f"| `{name}` | {cell(type_name(hints[f.name], nested))} | {_default(f)} | {cell(_md(docs.get(f.name, '')))} |")
    return out + [""]


def render() -> str:
    from sandbox.lessons.checks import COMBINATORS, REGISTRY
    from sandbox.lessons.model import Command, Lesson

    nested: list[type] = []
    out = ["## The lesson file", ""]
    out += table(Lesson, nested, "lesson.yaml")
    done: set[type] = {Lesson}
    # Nested dataclasses get their tables in the order the fields mention them.
    while any(n not in done for n in nested):
        cls = next(n for n in nested if n not in done)
        done.add(cls)
        out += table(cls, nested)
    if Command not in done:
        out += table(Command, nested)
        done.add(Command)
    out += [
        "## Checks",
        "",
        "A check is a mapping with one key, its type. "
        + " and ".join(f"`{c}`" for c in COMBINATORS)
        + " take a list of checks. Every check reads real state through the engine's API.",
        "",
        "| type | what it looks at |",
        "|---|---|",
    ]
    for kind, cls in REGISTRY.items():
        module_doc = inspect.getdoc(inspect.getmodule(cls)) or ""
        first = module_doc.split("\n\n")[0].replace("\n", " ")
        summary = first.split(":", 1)[1].strip() if first.startswith("``") and ":" in first else first
        out.append(f"| [`{kind}`](#{cls.__name__.lower()}) | {cell(_md(summary))} |")
    out.append("")
    check_nested: list[type] = []
    for kind, cls in REGISTRY.items():
        out += table(cls, check_nested, kind)
    for cls in check_nested:
        if cls not in done and cls not in REGISTRY.values():
            done.add(cls)
            out += table(cls, check_nested)
    return "\n".join(out)
