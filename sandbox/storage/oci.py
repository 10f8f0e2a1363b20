"""The JSON documents of an OCI image layout: descriptors, manifests and the index.

Each is a dataclass that round-trips through ``from_dict``/``to_dict``; fields we do not
model are kept in ``extra`` so a document another tool wrote survives our rewrite of it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sandbox.errors import StorageError
from sandbox.storage import mediatypes as mt
from sandbox.storage.digest import check_digest


def _parse(data: bytes | str, what: str) -> dict[str, Any]:
    try:
        doc = json.loads(data)
    except ValueError as e:
        raise StorageError(f"{what} is not valid JSON: {e}") from e
    if not isinstance(doc, dict):
        raise StorageError(f"{what} is not a JSON object")
    return doc


@dataclass
class Descriptor:
    media_type: str
    digest: str
    size: int
    annotations: dict[str, str] = field(default_factory=dict)
    platform: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, d: dict[str, Any], what: str = "descriptor") -> Descriptor:
        try:
            media_type, digest, size = d["mediaType"], d["digest"], d["size"]
        except (KeyError, TypeError) as e:
            raise StorageError(f"{what} lacks {e}") from e
        if not isinstance(size, int) or size < 0:
            raise StorageError(f"{what} has a bad size {size!r}")
        known = {"mediaType", "digest", "size", "annotations", "platform"}
        return cls(media_type=media_type, digest=check_digest(digest), size=size,
                   annotations=dict(d.get("annotations") or {}), platform=d.get("platform"),
                   extra={k: v for k, v in d.items() if k not in known})

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"mediaType": self.media_type, "digest": self.digest, "size": self.size}
        if self.annotations:
            out["annotations"] = dict(self.annotations)
        if self.platform:
            out["platform"] = self.platform
        out.update(self.extra)
        return out

    @property
    def ref_name(self) -> str | None:
        return self.annotations.get(mt.REF_NAME)


@dataclass
class Manifest:
    config: Descriptor
    layers: list[Descriptor]
    media_type: str = mt.MANIFEST
    annotations: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: bytes | str) -> Manifest:
        d = _parse(data, "image manifest")
        if d.get("schemaVersion") != 2:
            raise StorageError(f"image manifest has schemaVersion {d.get('schemaVersion')!r}, not 2")
        media_type = d.get("mediaType", mt.MANIFEST)
        if media_type not in mt.MANIFESTS:
            raise StorageError(f"not an image manifest: mediaType {media_type}")
        if "config" not in d:
            raise StorageError("image manifest has no config")
        known = {"schemaVersion", "mediaType", "config", "layers", "annotations"}
        return cls(config=Descriptor.from_dict(d["config"], "manifest config"),
                   layers=[Descriptor.from_dict(x, "manifest layer") for x in d.get("layers") or []],
                   media_type=media_type, annotations=dict(d.get("annotations") or {}),
                   extra={k: v for k, v in d.items() if k not in known})

    def to_json(self) -> bytes:
        out: dict[str, Any] = {"schemaVersion": 2, "mediaType": self.media_type,
                               "config": self.config.to_dict(),
                               "layers": [x.to_dict() for x in self.layers]}
        if self.annotations:
            out["annotations"] = dict(self.annotations)
        out.update(self.extra)
        return json.dumps(out, separators=(",", ":"), sort_keys=True).encode()


@dataclass
class Index:
    manifests: list[Descriptor] = field(default_factory=list)
    annotations: dict[str, str] = field(default_factory=dict)
    media_type: str | None = mt.INDEX
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: bytes | str, what: str = "index.json") -> Index:
        d = _parse(data, what)
        if d.get("schemaVersion") != 2:
            raise StorageError(f"{what} has schemaVersion {d.get('schemaVersion')!r}, not 2")
        known = {"schemaVersion", "mediaType", "manifests", "annotations"}
        return cls(manifests=[Descriptor.from_dict(x, f"{what} entry") for x in d.get("manifests") or []],
                   annotations=dict(d.get("annotations") or {}), media_type=d.get("mediaType"),
                   extra={k: v for k, v in d.items() if k not in known})

    def to_json(self) -> bytes:
        out: dict[str, Any] = {"schemaVersion": 2}
        if self.media_type:
            out["mediaType"] = self.media_type
        out["manifests"] = [x.to_dict() for x in self.manifests]
        if self.annotations:
            out["annotations"] = dict(self.annotations)
        out.update(self.extra)
        return json.dumps(out, indent=2).encode() + b"\n"

    def find(self, ref_name: str) -> Descriptor | None:
        for desc in self.manifests:
            if desc.ref_name == ref_name:
                return desc
        return None
