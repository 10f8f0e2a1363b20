"""Container read-write layer records: ``containers/<id>/rwlayer.json``.

The container directory is shared with the engine (which keeps its config, state and logs
there); the store owns only the record and the driver's directories (``upper/``, ``work/``,
``merged/`` or ``rootfs/``). The record carries the whole ``RootfsLayout``, so handing a
container's rootfs to the runtime is one small file read.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sandbox.errors import ContainerLayerUnknown, StorageError
from sandbox.storage.atomic import write_json
from sandbox.storage.rootfs import RootfsLayout

RECORD = "rwlayer.json"
DRIVER_DIRS = ("upper", "work", "merged", "rootfs")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")


def check_container_id(container_id: str) -> str:
    # The id becomes a directory name: nothing that could walk out of containers/.
    if not isinstance(container_id, str) or not _ID.match(container_id) or container_id in (".", ".."):
        raise StorageError(f"bad container id {container_id!r}",
                           "use letters, digits, '_', '.' and '-', starting with a letter or digit")
    return container_id


@dataclass
class ContainerLayer:
    container_id: str
    image_id: str | None
    top_layer: str | None
    driver: str
    layout: RootfsLayout
    created: str

    def to_dict(self) -> dict[str, Any]:
        return {"container_id": self.container_id, "image_id": self.image_id, "top_layer": self.top_layer,
                "driver": self.driver, "layout": self.layout.to_dict(), "created": self.created}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ContainerLayer:
        try:
            return cls(container_id=d["container_id"], image_id=d.get("image_id"),
                       top_layer=d.get("top_layer"), driver=d["driver"],
                       layout=RootfsLayout.from_dict(d["layout"]), created=d.get("created", ""))
        except (KeyError, TypeError) as e:
            raise StorageError(f"damaged container layer record: {e}") from e


class ContainerLayerStore:
    def __init__(self, root: Path) -> None:
        self.dir = Path(root)

    def dir_of(self, container_id: str) -> Path:
        return self.dir / check_container_id(container_id)

    def exists(self, container_id: str) -> bool:
        return (self.dir_of(container_id) / RECORD).is_file()

    def get(self, container_id: str) -> ContainerLayer:
        try:
            data = (self.dir_of(container_id) / RECORD).read_bytes()
        except FileNotFoundError as e:
            raise ContainerLayerUnknown(container_id) from e
        return ContainerLayer.from_dict(json.loads(data))

    def all(self) -> list[ContainerLayer]:
        try:
            dirs = sorted(p for p in self.dir.iterdir() if (p / RECORD).is_file())
        except FileNotFoundError:
            return []
        return [ContainerLayer.from_dict(json.loads((p / RECORD).read_bytes())) for p in dirs]

    def write(self, record: ContainerLayer) -> None:
        write_json(self.dir_of(record.container_id) / RECORD, record.to_dict())

    def remove_record(self, container_id: str) -> None:
        (self.dir_of(container_id) / RECORD).unlink(missing_ok=True)
