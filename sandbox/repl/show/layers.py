"""``show layers``: an image as a stack of layers, newest on top, with a container's own
read-write layer above them when a container is named.

Each layer is matched with the history entry that made it: the history lists every
instruction (newest first), but only RUN, COPY, ADD and the base import make a layer;
ENV, CMD and friends only change the config and are listed below the stack. The
container's changes show what overlayfs did: an edited file was copied up (C), a new one
added (A), and a removed one hidden by a whiteout (D).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from prompt_toolkit.formatted_text import StyleAndTextTuples

from sandbox.commands.render.units import human_size

from .draw import Line, cell, picture, short_id, title

METADATA = frozenset({"CMD", "ENV", "WORKDIR", "LABEL", "EXPOSE", "ENTRYPOINT", "USER", "VOLUME", "ARG",
                      "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL", "MAINTAINER"})
CHANGE_KINDS = {0: ("C", "class:warn", "copied up"), 1: ("A", "class:good", "added"),
                2: ("D", "class:bad", "whiteout")}
MAX_CHANGES = 8


@dataclass(frozen=True)
class LayerRow:
    number: int
    """1 for the bottom layer."""
    digest: str
    size: int | None
    instruction: str


def instruction(created_by: str, comment: str = "") -> str:
    """``/bin/sh -c #(nop) WORKDIR /srv`` -> ``WORKDIR /srv``; ``/bin/sh -c make`` -> ``RUN make``."""
    text = " ".join(created_by.split())
    for prefix in ("/bin/sh -c #(nop) ", "|1 /bin/sh -c #(nop) "):
        if text.startswith(prefix):
            return text[len(prefix):].strip()
    if text.startswith("/bin/sh -c "):
        return "RUN " + text[len("/bin/sh -c "):]
    if not text:
        return comment or "(imported)"
    return text


def _makes_layer(entry: Mapping[str, Any]) -> bool:
    if "empty_layer" in entry:
        return not entry["empty_layer"]
    word = instruction(str(entry.get("CreatedBy") or "")).split(" ", 1)[0].upper()
    return word not in METADATA or int(entry.get("Size") or 0) > 0


def layer_rows(image: Mapping[str, Any], history: Sequence[Mapping[str, Any]]) -> tuple[list[LayerRow], list[str]]:
    """(layers bottom first, the metadata-only instructions oldest first)."""
    digests = list((image.get("RootFS") or {}).get("Layers") or [])
    oldest_first = list(reversed(history))
    makers = [e for e in oldest_first if _makes_layer(e)]
    metadata = [instruction(str(e.get("CreatedBy") or ""), str(e.get("Comment") or ""))
                for e in oldest_first if not _makes_layer(e)]
    if len(makers) != len(digests):
        # The history does not line up with the layers (squashed or foreign images):
        # show the layers as they are rather than guess which instruction made which.
        rows = [LayerRow(i + 1, d, None, "?") for i, d in enumerate(digests)]
        return rows, [instruction(str(e.get("CreatedBy") or ""), str(e.get("Comment") or "")) for e in oldest_first]
    rows = [LayerRow(i + 1, d, int(e.get("Size") or 0),
                     instruction(str(e.get("CreatedBy") or ""), str(e.get("Comment") or "")))
            for i, (d, e) in enumerate(zip(digests, makers))]
    return rows, metadata


def notable_changes(changes: Sequence[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """(kind letter, path) for the most specific paths: a directory listed only because
    something below it changed adds nothing to the picture."""
    paths = [str(c.get("Path") or "") for c in changes]
    out = []
    for change in changes:
        path = str(change.get("Path") or "")
        kind = int(change.get("Kind") or 0)
        if any(other != path and other.startswith(path.rstrip("/") + "/") for other in paths):
            continue
        out.append((CHANGE_KINDS.get(kind, ("?", "", ""))[0], path))
    return out


def render(image: Mapping[str, Any], history: Sequence[Mapping[str, Any]], *, name: str = "",
           container: Mapping[str, Any] | None = None, changes: Sequence[Mapping[str, Any]] = (),
           width: int = 80) -> StyleAndTextTuples:
    rows, metadata = layer_rows(image, history)
    inner = max(min(width, 100) - 4, 40)
    tags = ", ".join(image.get("RepoTags") or []) or short_id(str(image.get("Id") or ""))
    lines: list[Line] = [title(f"image {name or tags}",
                               f"{short_id(str(image.get('Id') or ''))}  {human_size(int(image.get('Size') or 0))}"
                               f"  {len(rows)} layer{'s' if len(rows) != 1 else ''}")]
    lines.append([("class:box", "┌" + "─" * (inner + 2) + "┐")])
    if container is not None:
        lines += _upper(container, changes, inner)
        lines.append([("class:box", "├" + "─" * (inner + 2) + "┤")])
    size_w = max((len(human_size(r.size)) for r in rows if r.size is not None), default=1)
    for row in reversed(rows):
        size = human_size(row.size) if row.size is not None else "?"
        head = f"{row.number:>2}  {size:>{size_w}}  {short_id(row.digest)}  "
        lines.append([("class:box", "│ "), ("class:accent", head),
                      ("", cell(row.instruction, inner - len(head))), ("class:box", " │")])
    if not rows:
        lines.append([("class:box", "│ "), ("class:dim", cell("no layers", inner)), ("class:box", " │")])
    lines.append([("class:box", "└" + "─" * (inner + 2) + "┘")])
    lines.append([("class:dim", "  lower layers are read-only and shared by every container of the image")])
    if metadata:
        lines.append([("class:heading", "  config only (no layer): "),
                      ("", cell(", ".join(metadata), max(inner - 24, 20)))])
    return picture(lines)


def _upper(container: Mapping[str, Any], changes: Sequence[Mapping[str, Any]], inner: int) -> list[Line]:
    cname = str(container.get("Name") or "").lstrip("/") or short_id(str(container.get("Id") or ""))
    heading = f"container {cname}: its own read-write layer (upperdir)"
    lines: list[Line] = [[("class:box", "│ "), ("class:upper", cell(heading, inner)), ("class:box", " │")]]
    notable = notable_changes(changes)
    if not notable:
        lines.append([("class:box", "│ "), ("class:dim", cell("no changes yet", inner)), ("class:box", " │")])
    for letter, path in notable[:MAX_CHANGES]:
        style, meaning = next(((s, m) for k, (ltr, s, m) in CHANGE_KINDS.items() if ltr == letter), ("", ""))
        text = f"{letter} {path}"
        lines.append([("class:box", "│ "), (style, text), ("class:dim", cell(f"  {meaning}", inner - len(text))),
                      ("class:box", " │")])
    if len(notable) > MAX_CHANGES:
        more = f"… and {len(notable) - MAX_CHANGES} more (docker diff {cname})"
        lines.append([("class:box", "│ "), ("class:dim", cell(more, inner)), ("class:box", " │")])
    return lines
