"""The build cache: which image state a step made on a given parent.

A record is keyed on the parent state's id (the digest of its whole config, so Env,
WorkingDir and User are in it), the step's text after substitution (a RUN's text carries
the build args it sees) and, for COPY and ADD, the hash of the copied files. It holds the
resulting config and layer chain, so a hit costs one small file read and a check that the
layers are still in the store: no container runs and no context is hashed but the step's
own sources.

    ROOT/build-cache/<key>.json    {"id", "config", "layers"}
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sandbox.errors import LayerUnknown
from sandbox.storage.atomic import write_atomic

if TYPE_CHECKING:
    from sandbox.storage import Store

DIRNAME = "build-cache"


@dataclass(frozen=True)
class CacheRecord:
    id: str
    """The state's id: ``sha256:`` + the digest of ``config``."""
    config: str
    """The image config JSON, exactly as its digest was taken."""
    layers: tuple[str, ...]
    """Layer chain ids, bottom first."""


def cache_key(parent_id: str, text: str) -> str:
    return hashlib.sha256(f"{parent_id}\n{text}".encode()).hexdigest()


class BuildCache:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.dir = Path(store.root) / DIRNAME

    def get(self, key: str) -> CacheRecord | None:
        try:
            doc = json.loads((self.dir / f"{key}.json").read_bytes())
            record = CacheRecord(id=doc["id"], config=doc["config"], layers=tuple(doc["layers"]))
        except (FileNotFoundError, ValueError, KeyError, TypeError):
            return None  # no record, or a damaged one: a miss rebuilds and rewrites it
        # The layers may have gone with `rmi`: then the step runs again.
        try:
            for layer_id in record.layers:
                self.store.layer(layer_id)
        except LayerUnknown:
            return None
        return record

    def put(self, key: str, record: CacheRecord) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        doc = {"id": record.id, "config": record.config, "layers": list(record.layers)}
        write_atomic(self.dir / f"{key}.json", json.dumps(doc).encode())

    def prune(self) -> int:
        """Drop every record (``docker builder prune``); layers go with their images."""
        count = 0
        for path in self.dir.glob("*.json") if self.dir.is_dir() else []:
            path.unlink(missing_ok=True)
            count += 1
        return count
