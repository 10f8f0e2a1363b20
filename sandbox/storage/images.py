"""Image records: ``images/<config hex>.json``.

An image is named, as in Docker, by the digest of its config. The record says which
manifest describes it, which layers (ChainIDs, bottom first) make its root filesystem and
which blobs it references. Its tags are not here: they live in index.json, where skopeo and
umoci see them too.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sandbox.errors import ImageUnknown, StorageError
from sandbox.storage.atomic import write_json
from sandbox.storage.digest import hex_of


@dataclass
class Image:
    id: str
    """The config digest: ``sha256:…``."""
    manifest_digest: str
    manifest_size: int
    manifest_media_type: str
    layers: list[str]
    """Layer ChainIDs, bottom first."""
    blobs: list[str]
    """The config and layer blobs the manifest references."""
    created: str | None
    size: int
    """Sum of the layers' uncompressed sizes."""
    tags: list[str] = field(default_factory=list)
    """``name:tag`` references, filled in from index.json when the image is looked up."""

    @property
    def top_layer(self) -> str | None:
        return self.layers[-1] if self.layers else None

    @property
    def short_id(self) -> str:
        return self.id.split(":", 1)[-1][:12]

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "manifest_digest": self.manifest_digest, "manifest_size": self.manifest_size,
                "manifest_media_type": self.manifest_media_type, "layers": list(self.layers),
                "blobs": list(self.blobs), "created": self.created, "size": self.size}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Image:
        try:
            return cls(id=d["id"], manifest_digest=d["manifest_digest"],
                       manifest_size=int(d["manifest_size"]),
                       manifest_media_type=d["manifest_media_type"], layers=list(d["layers"]),
                       blobs=list(d["blobs"]), created=d.get("created"), size=int(d.get("size", 0)))
        except (KeyError, TypeError, ValueError) as e:
            raise StorageError(f"damaged image record: {e}") from e


class ImageStore:
    def __init__(self, root: Path) -> None:
        self.dir = Path(root)

    def _path(self, image_id: str) -> Path:
        return self.dir / f"{hex_of(image_id)}.json"

    def get(self, image_id: str) -> Image:
        try:
            data = self._path(image_id).read_bytes()
        except FileNotFoundError as e:
            raise ImageUnknown(image_id) from e
        return Image.from_dict(json.loads(data))

    def exists(self, image_id: str) -> bool:
        return self._path(image_id).is_file()

    def ids(self) -> list[str]:
        try:
            names = os.listdir(self.dir)
        except FileNotFoundError:
            return []
        return sorted("sha256:" + n[:-5] for n in names if n.endswith(".json") and len(n) == 69)

    def all(self) -> list[Image]:
        return [self.get(i) for i in self.ids()]

    def write(self, image: Image) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        write_json(self._path(image.id), image.to_dict())

    def remove(self, image_id: str) -> None:
        self._path(image_id).unlink(missing_ok=True)
