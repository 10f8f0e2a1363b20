"""JSON as Go's encoding/json writes it.

Differences from Python's json module that show in docker's output: floats keep Go's
format (``1`` not ``1.0``), ``<``/``>``/``&`` are escaped only when asked (json.Marshal
does, the template ``json`` function does not), U+2028/U+2029 are always escaped, and
MarshalIndent puts ``{}``/``[]`` on one line when empty.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal

_SHORT = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
_HTML = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"}


def quote(text: str, escape_html: bool = False) -> str:
    out = ['"']
    for ch in text:
        if ch in _SHORT:
            out.append(_SHORT[ch])
        elif ch < " " or ch in "\u2028\u2029":
            out.append(f"\\u{ord(ch):04x}")
        elif escape_html and ch in _HTML:
            out.append(_HTML[ch])
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def float_text(value: float) -> str:
    """A float as Go's JSON encoder writes it: shortest digits, an exponent only below 1e-6
    or from 1e21 on (``1e-7``, ``1e+21``), and ``1`` rather than ``1.0``."""
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "+Inf" if value > 0 else "-Inf"
    if value == 0:
        return "-0" if str(value).startswith("-") else "0"
    sign, digits, exponent = Decimal(repr(value)).normalize().as_tuple()
    ds = "".join(str(d) for d in digits)
    exp10 = len(ds) + int(exponent) - 1
    prefix = "-" if sign else ""
    if exp10 < -6 or exp10 >= 21:
        mantissa = ds[0] + ("." + ds[1:] if len(ds) > 1 else "")
        return f"{prefix}{mantissa}e{'-' if exp10 < 0 else '+'}{abs(exp10)}"
    return prefix + format(Decimal(repr(abs(value))).normalize(), "f")


def number(value: float) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return float_text(value)


Default = Callable[[object], object]


def encode(value: object, *, escape_html: bool = False, indent: str | None = None,
           sort_keys: bool = False, default: Default | None = None) -> str:
    """``json.Marshal`` (``escape_html=True``), the template ``json`` function (False), or
    ``MarshalIndent``/``json.Indent`` with ``indent``. Objects with a ``go_json()`` method
    encode themselves (as Go's json.Marshaler); ``default`` maps any other unknown object to
    something encodable (None for null)."""
    parts: list[str] = []
    _encode(value, parts, _Options(escape_html, indent, sort_keys, default), 0)
    return "".join(parts)


class _Options:
    def __init__(self, escape_html: bool, indent: str | None, sort_keys: bool, default: Default | None) -> None:
        self.escape_html = escape_html
        self.indent = indent
        self.sort_keys = sort_keys
        self.default = default


_PLAIN = (type(None), bool, int, float, str, list, tuple, dict)


def _encode(value: object, out: list[str], opt: _Options, depth: int) -> None:
    custom = getattr(value, "go_json", None)
    if callable(custom):
        raw = custom()
        out.append(_reindent(raw, opt.indent, depth) if opt.indent is not None else raw)
        return
    if opt.default is not None and not isinstance(value, _PLAIN) and not isinstance(value, Mapping):
        value = opt.default(value)
    escape_html, indent, sort_keys = opt.escape_html, opt.indent, opt.sort_keys
    if value is None:
        out.append("null")
    elif isinstance(value, bool):
        out.append("true" if value else "false")
    elif isinstance(value, (int, float)):
        out.append(number(value))
    elif isinstance(value, str):
        out.append(quote(value, escape_html))
    elif isinstance(value, Mapping):
        items = sorted(value.items(), key=lambda kv: str(kv[0])) if sort_keys else list(value.items())
        # A field marked go_omit was never in the JSON (omitempty): it stays out again.
        items = [(k, v) for k, v in items if not getattr(v, "go_omit", False)]
        if not items:
            out.append("{}")
            return
        out.append("{")
        for i, (key, item) in enumerate(items):
            if i:
                out.append(",")
            _newline(out, indent, depth + 1)
            out.append(quote(str(key), escape_html))
            out.append(": " if indent is not None else ":")
            _encode(item, out, opt, depth + 1)
        _newline(out, indent, depth)
        out.append("}")
    elif isinstance(value, (list, tuple)):
        if not value:
            out.append("[]")
            return
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            _newline(out, indent, depth + 1)
            _encode(item, out, opt, depth + 1)
        _newline(out, indent, depth)
        out.append("]")
    else:
        out.append(quote(str(value), escape_html))


def _newline(out: list[str], indent: str | None, depth: int) -> None:
    if indent is not None:
        out.append("\n" + indent * depth)


def _reindent(raw: str, indent: str | None, depth: int) -> str:
    import json

    return encode(json.loads(raw), indent=indent).replace("\n", "\n" + (indent or "") * depth)
