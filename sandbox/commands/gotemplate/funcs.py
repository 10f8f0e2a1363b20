"""The functions a template can call: Go's builtins and the ones docker adds."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from urllib.parse import quote_plus

from sandbox.commands.render import gojson
from sandbox.commands.render.gostrings import go_quote

from .values import MISSING, GoNil, Omitted, go_print, truth, type_name

Func = Callable[..., object]


class FuncError(Exception):
    """A function refused its arguments; the executor adds where it happened."""


def _to_none(value: object) -> object:
    return None if value is MISSING or isinstance(value, (GoNil, Omitted)) else value


def json_func(value: object) -> str:
    """docker's ``json``: json.Encoder with SetEscapeHTML(false), no trailing newline."""
    return gojson.encode(value, escape_html=False, default=_to_none)


def _index(item: object, *keys: object) -> object:
    for key in keys:
        if isinstance(item, Mapping):
            item = item.get(key, MISSING) if isinstance(key, str) else item.get(str(key), MISSING)
        elif isinstance(item, (list, tuple, str)):
            if not isinstance(key, int) or isinstance(key, bool):
                raise FuncError(f"cannot index slice/array with type {type_name(key)}")
            if not 0 <= key < len(item):
                raise FuncError(f"error calling index: index out of range: {key}")
            item = item[key] if not isinstance(item, str) else ord(item[key])
        elif item is None or item is MISSING or isinstance(item, GoNil):
            if isinstance(item, GoNil) and item.shape == "map[]":
                return MISSING
            raise FuncError("error calling index: index of untyped nil")
        else:
            raise FuncError(f"can't index item of type {type_name(item)}")
    return item


def _slice(item: object, *bounds: int) -> object:
    if not isinstance(item, (list, tuple, str)):
        raise FuncError(f"can't slice item of type {type_name(item)}")
    if len(bounds) > 2:
        raise FuncError("too many slice indexes")
    start = bounds[0] if bounds else 0
    end = bounds[1] if len(bounds) > 1 else len(item)
    if not 0 <= start <= end <= len(item):
        raise FuncError(f"error calling slice: index out of range: {start}:{end}")
    return item[start:end]


def _len(item: object) -> int:
    if isinstance(item, (str, list, tuple, Mapping, GoNil)):
        return len(item)
    raise FuncError(f"error calling len: len of type {type_name(item)}")


def _comparable(a: object, b: object) -> tuple[object, object]:
    numeric = (int, float)
    if isinstance(a, bool) != isinstance(b, bool):
        raise FuncError("incompatible types for comparison")
    if isinstance(a, numeric) and isinstance(b, numeric):
        return a, b
    if type(a) is not type(b) and not (a is None or b is None):
        raise FuncError("incompatible types for comparison")
    return a, b


def _eq(a: object, *others: object) -> bool:
    if not others:
        raise FuncError("missing argument for comparison")
    for b in others:
        x, y = _comparable(_to_none(a), _to_none(b))
        if x == y:
            return True
    return False


def _ordered(op: Callable[[object, object], bool]) -> Func:
    def compare(a: object, b: object) -> bool:
        x, y = _comparable(a, b)
        if not isinstance(x, (int, float, str)):
            raise FuncError(f"invalid type for comparison: {type_name(x)}")
        return op(x, y)
    return compare


def _sprint(*args: object) -> str:
    out: list[str] = []
    for i, arg in enumerate(args):
        # fmt.Sprint: a space between operands when neither is a string.
        if i and not isinstance(arg, str) and not isinstance(args[i - 1], str):
            out.append(" ")
        out.append(go_print(arg))
    return "".join(out)


def _sprintln(*args: object) -> str:
    return " ".join(go_print(a) for a in args) + "\n"


_VERB = re.compile(r"%([-+# 0]*)(\d+)?(?:\.(\d+))?([a-zA-Z%])")


def sprintf(fmt: str, *args: object) -> str:
    """fmt.Sprintf for the verbs templates use: %v %s %d %q %x %X %f %e %g %t %c %%."""
    out: list[str] = []
    pos = 0
    argi = 0
    for m in _VERB.finditer(fmt):
        out.append(fmt[pos:m.start()])
        pos = m.end()
        flags, width, prec, verb = m.group(1), m.group(2), m.group(3), m.group(4)
        if verb == "%":
            out.append("%")
            continue
        if argi >= len(args):
            out.append(f"%!{verb}(MISSING)")
            continue
        arg = args[argi]
        argi += 1
        out.append(_pad(_verb(verb, arg, prec), flags, width, verb))
    out.append(fmt[pos:])
    if argi < len(args):
        extra = ", ".join(f"{type_name(a)}={go_print(a)}" for a in args[argi:])
        out.append(f"%!(EXTRA {extra})")
    return "".join(out)


def _verb(verb: str, arg: object, prec: str | None) -> str:
    if verb in "vs":
        text = go_print(arg)
        return text[:int(prec)] if prec is not None and verb == "s" else text
    if verb == "d" and isinstance(arg, int) and not isinstance(arg, bool):
        return str(arg)
    if verb == "q" and isinstance(arg, str):
        return go_quote(arg)
    if verb in "xX" and isinstance(arg, (int, str)) and not isinstance(arg, bool):
        text = format(arg, "x") if isinstance(arg, int) else arg.encode().hex()
        return text.upper() if verb == "X" else text
    if verb in "fFeEgG" and isinstance(arg, (int, float)) and not isinstance(arg, bool):
        p = 6 if prec is None else int(prec)
        if verb in "gG" and prec is None:
            return go_print(float(arg))
        text = format(float(arg), f".{p}{verb.lower() if verb in 'fF' else verb}")
        return re.sub(r"e([+-])(\d)$", r"e\g<1>0\2", text)
    if verb == "t" and isinstance(arg, bool):
        return "true" if arg else "false"
    if verb == "c" and isinstance(arg, int):
        return chr(arg)
    return f"%!{verb}({type_name(arg)}={go_print(arg)})"


def _pad(text: str, flags: str, width: str | None, verb: str) -> str:
    if not width:
        return text
    w = int(width)
    if "-" in flags:
        return text.ljust(w)
    if "0" in flags and verb in "dfFeEgGxX":
        sign = text[0] if text[:1] in "+-" else ""
        return sign + text[len(sign):].rjust(w - len(sign), "0")
    return text.rjust(w)


def _title(text: str) -> str:
    # strings.Title: upper-case the first letter of every word; words split at non-letters.
    return re.sub(r"(?<![A-Za-z0-9_'])([a-z])", lambda m: m.group(1).upper(), text)


def _pad_with_space(source: str, prefix: int, suffix: int) -> str:
    return source if source == "" else " " * prefix + source + " " * suffix


def _truncate(source: str, length: int) -> str:
    return source if len(source) < length else source[:length]


def _join(items: object, sep: str) -> str:
    if isinstance(items, GoNil) or items is None:
        return ""
    if not isinstance(items, (list, tuple)):
        raise FuncError(f"wrong type for value; expected []string; got {type_name(items)}")
    return sep.join(go_print(i) for i in items)


def _string_arg(fn: Callable[[str], str]) -> Func:
    def wrapper(value: object) -> str:
        return fn(value if isinstance(value, str) else go_print(value))
    return wrapper


BUILTINS: dict[str, Func] = {
    "not": lambda x: not truth(x),
    "len": _len,
    "index": _index,
    "slice": _slice,
    "print": _sprint,
    "println": _sprintln,
    "printf": sprintf,
    "eq": _eq,
    "ne": lambda a, b: not _eq(a, b),
    "lt": _ordered(lambda a, b: a < b),  # type: ignore[operator]
    "le": _ordered(lambda a, b: a <= b),  # type: ignore[operator]
    "gt": _ordered(lambda a, b: a > b),  # type: ignore[operator]
    "ge": _ordered(lambda a, b: a >= b),  # type: ignore[operator]
    "html": lambda *a: html.escape(_sprint(*a)),
    "urlquery": lambda *a: quote_plus(_sprint(*a)),
}
"""``and`` and ``or`` are not here: the executor evaluates them lazily, as Go 1.18+ does."""

DOCKER_FUNCS: dict[str, Func] = {
    "json": json_func,
    "split": lambda s, sep: s.split(sep) if sep else list(s),
    "join": _join,
    "title": _string_arg(_title),
    "lower": _string_arg(str.lower),
    "upper": _string_arg(str.upper),
    "pad": _pad_with_space,
    "truncate": _truncate,
}

HEADER_FUNCS: dict[str, Func] = {
    # A table header runs the same template over the column names; these keep the names
    # intact instead of transforming them (docker's HeaderFunctions).
    "json": lambda v: v,
    "split": lambda v, _sep: v,
    "join": lambda v, _sep: v,
    "title": lambda v: v,
    "lower": lambda v: v,
    "upper": lambda v: v,
    "truncate": lambda v, _n: v,
}
