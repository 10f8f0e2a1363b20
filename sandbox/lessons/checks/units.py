"""Values authors write the way docker's flags take them: sizes (``64m``) and file modes."""

from __future__ import annotations

import re
from typing import Any

from ..schema import Converter, Ctx, Invalid
from ..yamlmarks import PathKey

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([bkmgt]?)(?:i?b)?\s*$", re.IGNORECASE)
_FACTOR = {"": 1, "b": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}


def parse_size(value: Any) -> int:
    """Bytes from ``67108864``, ``64m``, ``64MiB`` or ``1.5g`` (binary units, as docker -m)."""
    if isinstance(value, bool):
        raise Invalid(f"expected a size like 64m, got {value}")
    if isinstance(value, int):
        if value < 0:
            raise Invalid(f"a size cannot be negative ({value})")
        return value
    if isinstance(value, str):
        m = _SIZE.match(value)
        if m:
            return int(float(m.group(1)) * _FACTOR[m.group(2).lower()])
    raise Invalid(f"expected a size like 64m, 1g or a number of bytes, got {value!r}")


def format_size(n: int | None) -> str:
    if n is None:
        return "unlimited"
    for unit, factor in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= factor and n % factor == 0:
            return f"{n // factor}{unit}"
    return f"{n} bytes"


def parse_mode(value: Any) -> int:
    """Permission bits from a quoted octal string (``"0644"``, ``"755"``)."""
    if isinstance(value, int) and not isinstance(value, bool):
        # YAML reads 0644 as the number 420 and 644 as six hundred and forty-four: neither
        # is what the author meant often enough to guess, so ask for quotes.
        raise Invalid(f"write the mode as a quoted octal string like '0644' (YAML read {value} as a number)")
    if isinstance(value, str) and re.fullmatch(r"0?[0-7]{3,4}", value.strip()):
        return int(value.strip(), 8)
    raise Invalid(f"expected an octal mode like '0644', got {value!r}")


def _size(value: Any, path: PathKey, ctx: Ctx) -> int:
    return parse_size(value)


def _mode(value: Any, path: PathKey, ctx: Ctx) -> int:
    return parse_mode(value)


SIZE = Converter("a size like 64m", ("int", "str"), _size)
MODE = Converter("an octal mode like '0644'", ("str", "int"), _mode)
