"""Choose one image out of a multi-platform image index (or Docker manifest list)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sandbox.errors import PlatformNotFound, RegistryProtocolError
from sandbox.storage import mediatypes as mt
from sandbox.storage.importer import host_arch


@dataclass(frozen=True)
class Platform:
    os: str = "linux"
    architecture: str = ""
    variant: str | None = None

    def __str__(self) -> str:
        return "/".join(x for x in (self.os, self.architecture, self.variant) if x)

    @classmethod
    def parse(cls, text: str | None) -> Platform:
        """``linux/arm64/v8``, ``linux/amd64``, ``arm64``; None or empty means this machine."""
        if not text:
            return cls(architecture=host_arch())
        parts = text.split("/")
        if len(parts) == 1:
            return cls(architecture=parts[0])
        return cls(os=parts[0], architecture=parts[1], variant=parts[2] if len(parts) > 2 else None)


def pick_manifest(index_bytes: bytes, platform: Platform, registry: str, reference: str) -> dict[str, Any]:
    """The descriptor in an index for ``platform``. Entries without a platform or for
    another one (``unknown/unknown`` attestations among them) are passed over; a variant is
    compared only when one is asked for."""
    try:
        doc = json.loads(index_bytes)
        entries = doc["manifests"]
    except (ValueError, KeyError, TypeError) as e:
        raise RegistryProtocolError(registry, f"the image index of {reference} is malformed: {e}") from e
    available: list[str] = []
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict):
            continue
        p = entry.get("platform") or {}
        found = Platform(os=p.get("os", ""), architecture=p.get("architecture", ""), variant=p.get("variant"))
        if found.os and found.os != "unknown":
            available.append(str(found))
        if entry.get("mediaType", mt.MANIFEST) not in mt.MANIFESTS:
            continue
        if found.os == platform.os and found.architecture == platform.architecture and (
                platform.variant is None or found.variant == platform.variant):
            return entry
    raise PlatformNotFound(registry, reference, str(platform), available)
