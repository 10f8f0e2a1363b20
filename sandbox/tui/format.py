"""Small pure formatters shared by the pictures and lists: sizes, digests, Dockerfile
instructions, meters, durations. No Textual here, so they are unit-tested directly."""

from __future__ import annotations

import re

from rich.cells import cell_len


def human_size(n: float | None) -> str:
    """Decimal units as ``docker images`` prints them: ``4.26MB``, ``512B``."""
    if n is None:
        return "-"
    value = float(n)
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if abs(value) < 1000 or unit == "TB":
            if unit == "B":
                return f"{int(value)}B"
            return f"{value:.3g}{unit}"
        value /= 1000
    return f"{value:.3g}TB"  # pragma: no cover - the loop always returns


def binary_size(n: float | None) -> str:
    """Binary units for memory, as cgroup limits are set: ``32MiB``, ``1.5GiB``."""
    if n is None:
        return "∞"
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(value) < 1024 or unit == "TiB":
            if unit == "B":
                return f"{int(value)}B"
            return f"{value:.1f}{unit}".replace(".0" + unit, unit)
        value /= 1024
    return f"{value:.1f}TiB"  # pragma: no cover


def short_id(value: str | None, length: int = 12) -> str:
    """``sha256:0123…`` or a bare hex id -> its first ``length`` hex digits."""
    if not value:
        return "-"
    return value.split(":", 1)[-1][:length]


_NOP = re.compile(r"^/bin/sh -c #\(nop\)\s*")
_SHELL = re.compile(r"^/bin/sh -c\s+")
_BUILDKIT_RUN = re.compile(r"^RUN (/bin/sh -c|\|\d+ )")


def instruction(created_by: str | None) -> str:
    """A history entry's ``CreatedBy`` as the Dockerfile line it came from:
    ``/bin/sh -c #(nop)  CMD ["sh"]`` -> ``CMD ["sh"]``; ``/bin/sh -c apk add x`` ->
    ``RUN apk add x``."""
    text = (created_by or "").strip()
    if not text:
        return "(no instruction)"
    if _NOP.match(text):
        return _NOP.sub("", text).strip()
    if _SHELL.match(text):
        return "RUN " + _SHELL.sub("", text).strip()
    if _BUILDKIT_RUN.match(text):
        return "RUN " + _BUILDKIT_RUN.sub("", text).strip()
    return text


METADATA_INSTRUCTIONS = ("CMD", "ENTRYPOINT", "ENV", "LABEL", "EXPOSE", "USER", "VOLUME", "STOPSIGNAL",
                         "HEALTHCHECK", "SHELL", "ONBUILD", "ARG", "MAINTAINER", "WORKDIR")
"""Instructions that change only the image config (no filesystem layer), as docker builds
them (WORKDIR makes a layer only when the directory did not exist; counted as config)."""


def is_metadata_only(created_by: str | None) -> bool:
    text = instruction(created_by)
    head = text.split(None, 1)[0].upper() if text else ""
    return head in METADATA_INSTRUCTIONS


def truncate(text: str, width: int) -> str:
    """Cut ``text`` to ``width`` terminal cells, ending in ``…`` when cut (wide CJK
    characters count as two cells)."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return text
    out = []
    used = 0
    for ch in text:
        w = cell_len(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


def pad(text: str, width: int) -> str:
    """Left-justify in ``width`` cells (cut if longer)."""
    text = truncate(text, width)
    return text + " " * (width - cell_len(text))


def bar(fraction: float | None, width: int) -> tuple[str, str]:
    """A meter as (filled, empty) strings of ``width`` cells in total; the caller colours
    them. ``None`` (no limit) draws an empty track."""
    width = max(width, 1)
    if fraction is None:
        return "", "░" * width
    fraction = min(max(fraction, 0.0), 1.0)
    filled = round(fraction * width)
    if fraction > 0 and filled == 0:
        filled = 1  # something used must show, however little
    return "█" * filled, "░" * (width - filled)


def percent(fraction: float | None) -> str:
    return "-" if fraction is None else f"{fraction * 100:.0f}%"


def duration_ns(ns: int | None) -> str:
    """CPU time: ``850ms``, ``12.3s``, ``4m05s``."""
    if ns is None:
        return "-"
    seconds = ns / 1e9
    if seconds < 1:
        return f"{seconds * 1000:.0f}ms"
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes}m{rest:02d}s"
