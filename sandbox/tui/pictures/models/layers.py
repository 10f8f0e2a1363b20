"""The layers picture's data: an image's layers as a stack, bottom first, with the
container's upper layer on top, and where one chosen path comes from.

Built from what the engine answers: ``GET /images/{ref}/json`` (``RootFS.Layers``),
``GET /images/{ref}/history`` (newest first, as dockerd sends it), the per-layer file
lists when the engine offers them, and ``GET /containers/{ref}/changes`` for the upper
layer (Kind 0 modified = a copy-up from a lower layer, 1 added, 2 deleted = a whiteout).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ...format import instruction, is_metadata_only

CHANGE_KINDS = {0: "changed", 1: "added", 2: "deleted"}


@dataclass(frozen=True)
class LayerRow:
    index: int
    """0 is the bottom layer."""
    digest: str | None
    size: int | None
    instruction: str
    files: tuple[str, ...] | None = None


@dataclass(frozen=True)
class UpperChange:
    path: str
    kind: str
    """``added``, ``changed`` (a copy-up: the file was copied from a lower layer before
    it was written) or ``deleted`` (a whiteout hides the lower file)."""


@dataclass(frozen=True)
class PathOrigin:
    path: str
    state: str
    """``image`` (read from an image layer), ``added`` / ``copy-up`` / ``whiteout`` (the
    upper layer), ``deleted-in-image`` (a whiteout in an image layer), ``missing``, or
    ``unknown`` (the engine gave no per-layer file lists)."""
    layer: int | None = None
    """The image layer the path's content comes from (or was deleted in)."""
    shadowed: tuple[int, ...] = ()
    """Lower layers that also hold the path, hidden by ``layer``."""


@dataclass(frozen=True)
class LayerStack:
    image: str
    image_id: str
    size: int | None
    layers: tuple[LayerRow, ...]
    config_only: tuple[str, ...]
    """Instructions that made no layer (CMD, ENV …)."""
    container: str | None = None
    upper: tuple[UpperChange, ...] | None = None
    """None when no container is shown; empty when its upper layer is still empty."""
    origin: PathOrigin | None = None


def _strip(path: str) -> str:
    return path.strip().strip("/")


def build_stack(reference: str, image: Mapping[str, Any], layer_files: Sequence[Mapping[str, Any]] | None = None,
                container: str | None = None, changes: Sequence[Mapping[str, Any]] | None = None,
                path: str | None = None) -> LayerStack:
    """``image`` is ``{"inspect": {...}, "history": [...]}``."""
    inspect = image.get("inspect") or {}
    history = list(reversed(image.get("history") or []))  # oldest first, like RootFS.Layers
    digests = list((inspect.get("RootFS") or {}).get("Layers") or [])
    pairs, config_only = _pair(digests, history)
    files_by_index = _files(layer_files, len(digests))
    rows = tuple(LayerRow(i, digest, entry.get("Size") if entry else None,
                          instruction(entry.get("CreatedBy")) if entry else "(no history for this layer)",
                          files_by_index[i])
                 for i, (digest, entry) in enumerate(pairs))
    upper = None
    if container is not None:
        upper = tuple(UpperChange("/" + _strip(str(c.get("Path", ""))), CHANGE_KINDS.get(int(c.get("Kind", 0)), "changed"))
                      for c in (changes or []))
    origin = locate(path, rows, upper) if path else None
    return LayerStack(image=reference, image_id=str(inspect.get("Id") or ""), size=inspect.get("Size"),
                      layers=rows, config_only=tuple(config_only), container=container, upper=upper, origin=origin)


def _pair(digests: list[str], history: list[Mapping[str, Any]]) -> tuple[list[tuple[str, Mapping[str, Any] | None]],
                                                                       list[str]]:
    """Match each layer to the history entry that made it. Entries of config-only
    instructions made none; when the counts still disagree (an image built elsewhere),
    pair from the bottom and leave the rest unexplained rather than guess."""
    if len(history) == len(digests):
        return list(zip(digests, history)), []
    makers = [h for h in history if not is_metadata_only(h.get("CreatedBy"))]
    config_only = [instruction(h.get("CreatedBy")) for h in history if is_metadata_only(h.get("CreatedBy"))]
    if len(makers) != len(digests):
        makers = makers[:len(digests)]
    padded: list[Mapping[str, Any] | None] = list(makers) + [None] * (len(digests) - len(makers))
    return list(zip(digests, padded)), config_only


def _files(layer_files: Sequence[Mapping[str, Any]] | None, count: int) -> list[tuple[str, ...] | None]:
    if layer_files is None or len(layer_files) != count:
        return [None] * count
    return [tuple(_strip(f) for f in (entry.get("files") or [])) for entry in layer_files]


def _whiteout_hides(files: tuple[str, ...], path: str) -> bool:
    """True when a layer's whiteouts hide ``path``: ``dir/.wh.name`` for the path or one
    of its parents, or an opaque marker ``dir/.wh..wh..opq`` on a parent."""
    parts = path.split("/")
    for depth in range(1, len(parts) + 1):
        parent, name = "/".join(parts[:depth - 1]), parts[depth - 1]
        prefix = f"{parent}/" if parent else ""
        if f"{prefix}.wh.{name}" in files:
            return True
        if depth < len(parts) and f"{'/'.join(parts[:depth])}/.wh..wh..opq" in files:
            return True
    return False


def locate(path: str, layers: Sequence[LayerRow], upper: Sequence[UpperChange] | None) -> PathOrigin:
    """Where ``path`` (as seen inside the container) comes from, top layer first."""
    key = _strip(path)
    shown = "/" + key
    holders = [row.index for row in layers if row.files is not None and key in row.files]
    known = all(row.files is not None for row in layers)
    top_holder = max(holders) if holders else None
    for change in upper or ():
        if _strip(change.path) == key:
            state = {"added": "added", "changed": "copy-up", "deleted": "whiteout"}[change.kind]
            return PathOrigin(shown, state, top_holder, tuple(sorted(holders, reverse=True))[1:] if holders else ())
    if not known:
        return PathOrigin(shown, "unknown")
    for row in sorted(layers, key=lambda r: r.index, reverse=True):
        assert row.files is not None
        if key in row.files:
            lower = tuple(i for i in sorted(holders, reverse=True) if i < row.index)
            return PathOrigin(shown, "image", row.index, lower)
        if _whiteout_hides(row.files, key):
            return PathOrigin(shown, "deleted-in-image", row.index)
    return PathOrigin(shown, "missing")
