"""Layer records: ``layers/<chain-id hex>/layer.json`` beside the layer's ``diff/``.

A layer is named by its OCI ChainID (its own diff and everything under it), so importing
the same layer on the same parent twice finds the first one. A layer directory appears
under its final name only complete, record included (it is built under ``.tmp-*`` and
renamed), so a reader never sees a half-applied layer.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sandbox.errors import LayerUnknown, StorageError
from sandbox.storage.atomic import write_json
from sandbox.storage.digest import hex_of
from sandbox.storage.spread import spread_subdirectories

RECORD = "layer.json"


@dataclass
class Layer:
    id: str
    """ChainID: ``sha256:…``."""
    parent: str | None
    diff_id: str
    """sha256 of the uncompressed layer tar."""
    size: int
    """Bytes of the uncompressed layer tar."""
    blob_digest: str
    """The blob in blobs/ this layer was imported from (maybe gzip-compressed)."""
    blob_media_type: str
    blob_size: int
    created: str
    entries: int
    path: Path
    """The layer's directory (holds ``diff/`` and the record)."""

    @property
    def diff(self) -> Path:
        return self.path / "diff"

    @property
    def short_id(self) -> str:
        return self.id.split(":", 1)[-1][:12]

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "parent": self.parent, "diff_id": self.diff_id, "size": self.size,
                "blob_digest": self.blob_digest, "blob_media_type": self.blob_media_type,
                "blob_size": self.blob_size, "created": self.created, "entries": self.entries}

    @classmethod
    def from_dict(cls, d: dict[str, Any], path: Path) -> Layer:
        try:
            return cls(id=d["id"], parent=d.get("parent"), diff_id=d["diff_id"], size=int(d["size"]),
                       blob_digest=d["blob_digest"], blob_media_type=d["blob_media_type"],
                       blob_size=int(d["blob_size"]), created=d.get("created", ""),
                       entries=int(d.get("entries", 0)), path=path)
        except (KeyError, TypeError, ValueError) as e:
            raise StorageError(f"damaged layer record {path / RECORD}: {e}") from e


class LayerStore:
    def __init__(self, root: Path) -> None:
        self.dir = Path(root)
        self._spread = False

    def path_of(self, layer_id: str) -> Path:
        return self.dir / hex_of(layer_id)

    def diff_of(self, layer_id: str) -> Path:
        """The diff directory, without reading the record (for the cheap paths)."""
        return self.path_of(layer_id) / "diff"

    def exists(self, layer_id: str) -> bool:
        return (self.path_of(layer_id) / RECORD).is_file()

    def get(self, layer_id: str) -> Layer:
        if not layer_id.startswith("sha256:"):
            layer_id = "sha256:" + layer_id
        try:
            path = self.path_of(layer_id)
        except StorageError as e:
            raise LayerUnknown(layer_id) from e
        try:
            data = (path / RECORD).read_bytes()
        except FileNotFoundError as e:
            raise LayerUnknown(layer_id) from e
        return Layer.from_dict(json.loads(data), path)

    def all(self) -> list[Layer]:
        try:
            names = sorted(os.listdir(self.dir))
        except FileNotFoundError:
            return []
        out = []
        for name in names:
            if len(name) == 64 and (self.dir / name / RECORD).is_file():
                out.append(self.get("sha256:" + name))
        return out

    def chain(self, layer_id: str | None) -> list[Layer]:
        """The layer and its ancestors, bottom first."""
        out: list[Layer] = []
        while layer_id is not None:
            layer = self.get(layer_id)
            out.append(layer)
            layer_id = layer.parent
        out.reverse()
        return out

    def children(self, layer_id: str) -> list[Layer]:
        return [layer for layer in self.all() if layer.parent == layer_id]

    def new_tmp(self) -> Path:
        self.dir.mkdir(parents=True, exist_ok=True)
        if not self._spread:
            # Each layer's files in a block group of its own (see sandbox.storage.spread);
            # also for a store made before the flag was set.
            spread_subdirectories(self.dir)
            self._spread = True
        tmp = self.dir / f".tmp-{os.urandom(16).hex()}"
        tmp.mkdir(mode=0o700)
        return tmp

    def write_record(self, layer_dir: Path, layer: Layer) -> None:
        write_json(layer_dir / RECORD, layer.to_dict())

    def remove(self, layer_id: str) -> None:
        remove_tree(self.path_of(layer_id))


def remove_tree(path: Path) -> None:
    """Remove a directory as one step for readers: rename it out of the way, then delete."""
    import shutil

    try:
        # An empty directory (a container's merged/, often its work/) goes in one step by
        # itself: one syscall instead of a stat, a rename and rmtree's open/scandir/rmdir.
        os.rmdir(path)
        return
    except FileNotFoundError:
        return
    except OSError:
        pass  # not empty, not a directory, a mountpoint …: the long way, as before
    if not path.exists():
        return
    trash = path.with_name(f".trash-{os.urandom(16).hex()}")
    os.rename(path, trash)
    shutil.rmtree(trash)
