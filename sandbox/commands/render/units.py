"""Human sizes and durations exactly as docker/go-units prints and parses them."""

from __future__ import annotations

import re

from sandbox.humanize import human_duration  # noqa: F401 - re-exported

_DECIMAL = ["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"]
_BINARY = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"]


def _scale(size: float, base: float, names: list[str]) -> tuple[float, str]:
    i = 0
    while size >= base and i < len(names) - 1:
        size /= base
        i += 1
    return size, names[i]


def human_size(size: float, precision: int = 4) -> str:
    """Decimal units with ``precision`` significant digits: ``4.26MB``, ``1.98MB``, ``0B``.

    Python's ``%g`` and Go's agree here, trailing zeros dropped and ``1e+03`` included."""
    value, unit = _scale(float(size), 1000.0, _DECIMAL)
    return f"{value:.{precision}g}{unit}"


def bytes_size(size: float) -> str:
    """Binary units, 4 significant digits: ``312KiB``, ``23.54GiB`` (docker stats)."""
    value, unit = _scale(float(size), 1024.0, _BINARY)
    return f"{value:.4g}{unit}"


_BINARY_MUL = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40, "p": 1 << 50}
_DECIMAL_MUL = {"k": 10**3, "m": 10**6, "g": 10**9, "t": 10**12, "p": 10**15}


class SizeError(ValueError):
    """A size that does not parse; the message is go-units' own wording."""


def _parse_size(text: str, table: dict[str, int]) -> int:
    """go-units' parseSize: a number, an optional space, then ``b``, ``k``/``kb``/``kib`` …"""
    sep = max(text.rfind(c) for c in "0123456789. ")
    if sep == -1:
        raise SizeError(f"invalid size: '{text}'")
    number, suffix = (text[:sep + 1], text[sep + 1:]) if text[sep] != " " else (text[:sep], text[sep + 1:])
    if not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", number):
        raise SizeError(f'strconv.ParseFloat: parsing "{number}": invalid syntax')
    size = float(number)
    if size < 0:
        raise SizeError(f"invalid size: '{text}'")
    if not suffix:
        return int(size)
    lowered = suffix.lower()
    bad = SizeError(f"invalid suffix: '{lowered if len(suffix) <= 3 else suffix}'")
    if len(lowered) > 3:
        raise bad
    if lowered[0] == "b":
        if len(lowered) > 1:
            raise bad
        return int(size)
    if lowered[0] not in table:
        raise bad
    if (len(lowered) == 2 and lowered[1] != "b") or (len(lowered) == 3 and lowered[1:] != "ib"):
        raise bad
    return int(size * table[lowered[0]])


def ram_in_bytes(text: str) -> int:
    """``64m`` → 67108864 (binary units, ``b`` optional, case-insensitive) — RAMInBytes."""
    return _parse_size(text, _BINARY_MUL)


def from_human_size(text: str) -> int:
    """``10MB`` → 10000000 (decimal units) — FromHumanSize."""
    return _parse_size(text, _DECIMAL_MUL)
