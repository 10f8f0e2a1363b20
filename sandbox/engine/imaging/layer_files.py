"""What the layers picture needs about an image: its layers as a stack, bottom first, each
with its size, the instruction that made it, its digest and the paths it holds — and, for
one path, which layer the image's copy comes from.

The file lists are read from each layer's blob (its tar, as pulled or built) rather than
from the layer's directory: the tar is the same whichever storage driver unpacked it, and it
keeps the OCI whiteouts (``dir/.wh.name``, ``dir/.wh..wh..opq``) that the overlay driver
turned into devices and the copy driver turned into real deletions. A layer is immutable,
so a list, once read, is kept by DiffID.
"""

from __future__ import annotations

import tarfile
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sandbox.errors import BlobUnknown, LayerUnknown, StorageError
from sandbox.storage import Image, Store
from sandbox.storage.whiteouts import WH_OPAQUE, WH_PREFIX

KEEP = 64
"""File lists kept in memory (layers, not images)."""


def _clean(name: str) -> str:
    name = name.lstrip("./").lstrip("/") if name not in (".", "./") else ""
    return name.rstrip("/")


def _whiteout_hides(files: frozenset[str], path: str) -> bool:
    """``dir/.wh.name`` for the path or a parent of it, or an opaque marker on a parent."""
    parts = path.split("/")
    for depth in range(1, len(parts) + 1):
        parent = "/".join(parts[:depth - 1])
        prefix = f"{parent}/" if parent else ""
        if f"{prefix}{WH_PREFIX}{parts[depth - 1]}" in files:
            return True
        if depth < len(parts) and f"{'/'.join(parts[:depth])}/{WH_OPAQUE}" in files:
            return True
    return False


@dataclass(frozen=True)
class PathInImage:
    path: str
    state: str
    """``image`` (a layer holds it), ``deleted`` (a whiteout in ``layer`` hides it),
    ``missing`` (in no layer) or ``unknown`` (a layer's file list could not be read)."""
    layer: int | None = None
    shadowed: tuple[int, ...] = ()
    """Lower layers that hold the path too, hidden by ``layer``."""

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "state": self.state, "layer": self.layer, "shadowed": list(self.shadowed)}


def locate(path: str, lists: Sequence[frozenset[str] | None]) -> PathInImage:
    """Where ``path`` comes from in layers listed bottom first; the top layer decides."""
    key = _clean(path)
    shown = "/" + key
    if any(files is None for files in lists):
        return PathInImage(shown, "unknown")
    holders = [i for i, files in enumerate(lists) if files is not None and key in files]
    for index in range(len(lists) - 1, -1, -1):
        files = lists[index]
        assert files is not None
        if key in files:
            return PathInImage(shown, "image", index, tuple(i for i in reversed(holders) if i < index))
        if _whiteout_hides(files, key):
            return PathInImage(shown, "deleted", index)
    return PathInImage(shown, "missing")


class LayerFiles:
    """``stack(image)``: the ``/sandbox/images/{name}/layers`` document."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._cache: OrderedDict[str, tuple[str, ...]] = OrderedDict()
        self._lock = threading.Lock()

    def files(self, layer_id: str) -> tuple[str, ...] | None:
        """The paths in a layer's tar, in tar order (whiteouts included); None without its blob."""
        layer = self.store.layer(layer_id)
        with self._lock:
            if layer.diff_id in self._cache:
                self._cache.move_to_end(layer.diff_id)
                return self._cache[layer.diff_id]
        try:
            blob = self.store.layout.open_blob(layer.blob_digest)
        except BlobUnknown:
            return None  # a layer whose blob was never kept: its files are not listed
        try:
            # "r|*": one pass, compression detected from the stream (gzip or none).
            with blob, tarfile.open(fileobj=blob, mode="r|*") as tar:
                names = tuple(n for n in (_clean(m.name) for m in tar) if n)
        except (tarfile.TarError, OSError, EOFError) as err:
            raise StorageError(f"cannot read layer {layer.diff_id}'s blob {layer.blob_digest}: {err}",
                               "the store may be damaged: `sandbox image verify` or pull the image again") from err
        with self._lock:
            self._cache[layer.diff_id] = names
            while len(self._cache) > KEEP:
                self._cache.popitem(last=False)
        return names

    def stack(self, image: Image, path: str | None = None) -> dict[str, Any]:
        """Each layer with the history entry that made it: the config's history lists
        every instruction, and those marked ``empty_layer`` made none."""
        history = self.store.image_config(image).history or []
        makers = [h.created_by or "" for h in history if not h.empty_layer]
        layers: list[dict[str, Any]] = []
        lists: list[frozenset[str] | None] = []
        for index, layer_id in enumerate(image.layers):
            made_by = makers[index] if index < len(makers) else ""
            try:
                layer = self.store.layer(layer_id)
            except LayerUnknown:
                layers.append({"index": index, "chain_id": layer_id, "digest": None, "size": None,
                               "instruction": made_by, "files": None})
                lists.append(None)
                continue
            names = self.files(layer_id)
            layers.append({"index": index, "chain_id": layer.id, "digest": layer.diff_id, "size": layer.size,
                           "instruction": made_by, "files": list(names) if names is not None else None})
            lists.append(frozenset(names) if names is not None else None)
        doc: dict[str, Any] = {"image": image.id, "tags": list(image.tags), "layers": layers}
        if path:
            doc["path"] = locate(path, lists).to_dict()
        return doc
