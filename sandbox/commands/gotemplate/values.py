"""How Go prints, compares and tests values, for data that came from JSON or from a row.

Python stands in for Go's types: dict for maps and structs, list for slices, str, int,
float, bool, and None for nil. ``MISSING`` is Go's "no value" (a map key that is not there).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sandbox.commands.render.gojson import float_text as go_float


class _Missing:
    """A key that is not in the map: Go prints ``<no value>`` and treats it as false."""

    _instance: "_Missing | None" = None

    def __new__(cls) -> "_Missing":
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING = _Missing()


class GoNil:
    """A typed nil — a null slice or map in a struct. Go prints it as ``[]`` or ``map[]``
    (not ``<no value>``), and JSON encodes it as ``null``."""

    def __init__(self, shape: str) -> None:
        self.shape = shape  # "[]" or "map[]" or "<nil>"

    def __repr__(self) -> str:
        return f"GoNil({self.shape!r})"

    def __bool__(self) -> bool:
        return False

    def __len__(self) -> int:
        return 0


class GoStruct(dict):  # type: ignore[type-arg]
    """A JSON object that is a struct on the Go side: it prints as ``{v1 v2 …}`` in field
    order, not as a sorted ``map[k:v]``, and is always true."""

    def __bool__(self) -> bool:
        return True


class Omitted:
    """A struct field the JSON left out (``omitempty``): prints as its Go zero value,
    and stays out of JSON encodings, as it would with the typed struct."""

    go_omit = True

    def __init__(self, shape: str) -> None:
        self.shape = shape

    def __repr__(self) -> str:
        return f"Omitted({self.shape!r})"

    def __bool__(self) -> bool:
        return False


def go_print(value: object) -> str:
    """Go's %v, as text/template prints an action's value."""
    if value is MISSING or value is None:
        return "<no value>" if value is MISSING else "<nil>"
    if isinstance(value, (GoNil, Omitted)):
        return value.shape
    if isinstance(value, GoStruct):
        return "{" + " ".join(_inner(v) for v in value.values()) + "}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return go_float(value)
    if isinstance(value, Mapping):
        return "map[" + " ".join(f"{go_print(k)}:{_inner(v)}" for k, v in sorted(value.items(), key=_sort_key)) + "]"
    if isinstance(value, (list, tuple)):
        return "[" + " ".join(_inner(v) for v in value) + "]"
    printer = getattr(value, "go_string", None)
    if callable(printer):
        return str(printer())
    return str(value)


def _inner(value: object) -> str:
    # Inside a slice or map a nil prints as <nil>, never <no value>.
    if value is None or value is MISSING:
        return "<nil>"
    return go_print(value)


def _sort_key(item: tuple[object, object]) -> tuple[int, object]:
    key = item[0]
    return (0, key) if isinstance(key, (int, float)) else (1, str(key))


def truth(value: object) -> bool:
    """Go's template truth: false, 0, nil, and empty strings, slices and maps are false."""
    if value is None or value is MISSING or isinstance(value, (GoNil, Omitted)):
        return False
    if isinstance(value, GoStruct):
        return True
    if isinstance(value, (bool, int, float, str, bytes, Mapping, Sequence)):
        return bool(value)
    return True


def type_name(value: object) -> str:
    """The Go type name in error messages."""
    if value is None or value is MISSING:
        return "interface {}"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Mapping):
        return "map[string]interface {}"
    if isinstance(value, (list, tuple)):
        return "[]interface {}"
    return getattr(type(value), "go_type", type(value).__name__)
