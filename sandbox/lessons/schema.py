"""Build dataclasses from parsed YAML, collecting every problem with the path it is at.

The lesson format is described once, by dataclasses and their type hints; this module
turns a parsed ``lesson.yaml`` into them. It does not stop at the first problem: the linter
wants them all, each with its path (``steps[1].check.container.runing``) so that
``yamlmarks.Marks`` can give the line.

Supported hints: ``str``, ``int``, ``float``, ``bool``, ``Any``, ``list[T]``,
``dict[str, T]``, ``Literal[…]``, unions (``T | None``, ``str | list[str]``), nested
dataclasses, and ``Annotated[T, converter]`` for anything special (sizes, translations,
checks). A field's YAML key is its name unless ``metadata={"key": …}`` says otherwise
(``try`` is a Python keyword); ``metadata={"schema": False}`` hides a field from YAML.
After building, a dataclass may report cross-field problems from ``schema_problems()``.
"""

from __future__ import annotations

import dataclasses
import difflib
import types
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, Union, get_args, get_origin, get_type_hints

from .text import LANGS
from .yamlmarks import PathKey


@dataclass(frozen=True)
class Issue:
    path: PathKey
    problem: str
    at_key: bool = False
    """Point at the key's line rather than the value's (unknown fields)."""


@dataclass
class Ctx:
    issues: list[Issue] = field(default_factory=list)
    languages: tuple[str, ...] = LANGS
    """The languages the lesson declares; translations must cover them."""

    def add(self, path: PathKey, problem: str, *, at_key: bool = False) -> None:
        self.issues.append(Issue(path, problem, at_key))

    def scratch(self) -> Ctx:
        return Ctx(languages=self.languages)


@dataclass(frozen=True)
class Converter:
    """A special kind of value. ``kinds`` are the YAML shapes it accepts (for unions)."""

    name: str
    """How an error message names what was expected ("a size like 64m")."""
    kinds: tuple[str, ...]
    fn: Callable[[Any, PathKey, Ctx], Any]

    def __call__(self, value: Any, path: PathKey, ctx: Ctx) -> Any:
        return self.fn(value, path, ctx)


class Invalid(Exception):
    """Raised by a converter for a problem at its own path."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


def render_path(path: PathKey) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out or "(document)"


def describe(value: Any) -> str:
    """How a message names a value the author wrote."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"{str(value).lower()} (true/false)"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text {value!r}" if len(value) < 40 else "a text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def kind_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "str"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "mapping"
    return "other"


def yaml_key(f: dataclasses.Field[Any]) -> str:
    return str(f.metadata.get("key", f.name))


def schema_fields(cls: type) -> dict[str, dataclasses.Field[Any]]:
    """YAML key -> field, for the fields an author may write."""
    return {yaml_key(f): f for f in dataclasses.fields(cls) if f.init and f.metadata.get("schema", True)}


def _required(f: dataclasses.Field[Any]) -> bool:
    return f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING


def unknown_field(key: str, known: Iterable[str]) -> str:
    known = sorted(known)
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    if close:
        return f"unknown field (did you mean {close[0]!r}?)"
    return f"unknown field; known: {', '.join(known)}"


def build(cls: type, value: Any, path: PathKey, ctx: Ctx) -> Any:
    """An instance of dataclass ``cls`` from a mapping, or None after recording problems."""
    if not isinstance(value, dict):
        ctx.add(path, f"expected a mapping of fields, got {describe(value)}")
        return None
    hints = get_type_hints(cls, include_extras=True)
    fields = schema_fields(cls)
    before = len(ctx.issues)
    for key in value:
        if key not in fields:
            ctx.add((*path, key), unknown_field(key, fields), at_key=True)
    kwargs: dict[str, Any] = {}
    for key, f in fields.items():
        if key in value:
            kwargs[f.name] = convert(value[key], hints[f.name], (*path, key), ctx)
        elif _required(f):
            ctx.add((*path, key), "required field is missing")
    if len(ctx.issues) > before:
        return None
    obj = cls(**kwargs)
    check = getattr(obj, "schema_problems", None)
    if check is not None:
        for sub, problem in check():
            ctx.add((*path, *sub), problem)
    return obj if len(ctx.issues) == before else None


def convert(value: Any, hint: Any, path: PathKey, ctx: Ctx) -> Any:
    origin = get_origin(hint)
    if origin is Annotated:
        converter = next(m for m in get_args(hint)[1:] if isinstance(m, Converter))
        try:
            return converter(value, path, ctx)
        except Invalid as err:
            ctx.add(path, err.problem)
            return None
    if hint is Any:
        return value
    if origin in (Union, types.UnionType):
        return _convert_union(value, get_args(hint), path, ctx)
    if origin is Literal:
        choices = get_args(hint)
        if value not in choices:
            ctx.add(path, f"must be one of {', '.join(map(str, choices))}; got {describe(value)}")
            return None
        return value
    if origin is list:
        if not isinstance(value, list):
            ctx.add(path, f"expected a list, got {describe(value)}")
            return None
        (item_hint,) = get_args(hint)
        return [convert(item, item_hint, (*path, i), ctx) for i, item in enumerate(value)]
    if origin is dict:
        if not isinstance(value, dict):
            ctx.add(path, f"expected a mapping, got {describe(value)}")
            return None
        _, item_hint = get_args(hint)
        return {str(k): convert(v, item_hint, (*path, str(k)), ctx) for k, v in value.items()}
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return build(hint, value, path, ctx)
    return _convert_plain(value, hint, path, ctx)


_PLAIN = {
    bool: ("bool", "true or false"),
    int: ("int", "a whole number"),
    float: ("float", "a number"),
    str: ("str", "a text"),
}


def _convert_plain(value: Any, hint: Any, path: PathKey, ctx: Ctx) -> Any:
    kind = kind_of(value)
    if hint is float and kind in ("int", "float"):
        return float(value)
    if hint in _PLAIN and kind == _PLAIN[hint][0]:
        return value
    expected = _PLAIN.get(hint, (None, getattr(hint, "__name__", str(hint))))[1]
    extra = " (put it in quotes)" if hint is str and kind in ("int", "float", "bool") else ""
    ctx.add(path, f"expected {expected}, got {describe(value)}{extra}")
    return None


def _accepts(hint: Any) -> tuple[str, ...]:
    """The YAML shapes a hint can take, to pick a union member without guessing."""
    origin = get_origin(hint)
    if origin is Annotated:
        converter = next(m for m in get_args(hint)[1:] if isinstance(m, Converter))
        return converter.kinds
    if hint is Any:
        return ("null", "bool", "int", "float", "str", "list", "mapping")
    if origin is Literal:
        return tuple(sorted({kind_of(c) for c in get_args(hint)}))
    if origin is list:
        return ("list",)
    if origin is dict or dataclasses.is_dataclass(hint):
        return ("mapping",)
    if hint is float:
        return ("int", "float")
    return (_PLAIN[hint][0],) if hint in _PLAIN else ()


def expected_name(hint: Any) -> str:
    origin = get_origin(hint)
    if origin is Annotated:
        return next(m for m in get_args(hint)[1:] if isinstance(m, Converter)).name
    if origin is Literal:
        return "one of " + ", ".join(map(str, get_args(hint)))
    if origin is list:
        return "a list"
    if origin is dict or dataclasses.is_dataclass(hint):
        return "a mapping"
    return _PLAIN.get(hint, ("", str(hint)))[1]


def _convert_union(value: Any, options: tuple[Any, ...], path: PathKey, ctx: Ctx) -> Any:
    if value is None and type(None) in options:
        return None
    options = tuple(o for o in options if o is not type(None))
    kind = kind_of(value)
    fitting = [o for o in options if kind in _accepts(o)]
    if len(fitting) == 1:
        return convert(value, fitting[0], path, ctx)
    for option in fitting:
        scratch = ctx.scratch()
        result = convert(value, option, path, scratch)
        if not scratch.issues:
            return result
    if fitting:
        # Several shapes fit and none converted cleanly: the first one's problems are the
        # most useful (options are written most-specific first).
        return convert(value, fitting[0], path, ctx)
    ctx.add(path, f"expected {' or '.join(expected_name(o) for o in options)}, got {describe(value)}")
    return None
