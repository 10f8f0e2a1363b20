"""Images in and out as tar files, for the engine: save, load and import.

The archive formats are the archive library's (a docker-archive that is also an OCI
layout); this service adds what the API needs around them: names resolved before a byte
is written, Docker's load messages, and events on the bus.
"""

from __future__ import annotations

import json
import tarfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, BinaryIO

from sandbox.engine.events import EventBus
from sandbox.errors import ImageUnknown, InvalidParameter, InvalidReference, NoSuchImage
from sandbox.images.archive import import_rootfs, load, save
from sandbox.storage import Image, Store, normalize_reference


@dataclass
class ImageArchives:
    store: Store
    events: EventBus | None = None

    def _emit(self, action: str, image: Image, name: str) -> None:
        if self.events is not None:
            self.events.emit("image", action, image.id, {"name": name})

    def check_names(self, names: Sequence[str]) -> list[Image]:
        """Every name must resolve before ``save`` writes anything: the reply's status
        still says which one is missing."""
        if not names:
            raise InvalidParameter("no image named: pass one or more names", "names", "docker save IMAGE…")
        out = []
        for name in names:
            try:
                out.append(self.store.image(name))
            except ImageUnknown:
                raise NoSuchImage(name) from None
        return out

    def save(self, names: Sequence[str], out: BinaryIO) -> None:
        images = self.check_names(names)
        save(self.store, list(names), out)
        for image, name in zip(images, names, strict=True):
            self._emit("save", image, name)

    def load(self, src: IO[bytes]) -> list[str]:
        """``docker load``: the lines dockerd prints, one per tag the archive names (or per
        untagged image). ``src`` must be seekable: the tags are read from it afterwards."""
        images = load(self.store, src)  # type: ignore[arg-type]
        named = archive_tags(src)
        lines = []
        for image in images:
            names = [t for t in image.tags if named is None or t in named]
            for tag in names:
                lines.append(f"Loaded image: {tag}")
                self._emit("load", image, tag)
            if not names:
                lines.append(f"Loaded image ID: {image.id}")
                self._emit("load", image, image.id)
        return lines

    def import_(self, src: IO[bytes], repo: str | None, tag: str | None, message: str,
                changes: Sequence[str], source: str = "-") -> Image:
        """``docker import``: ``repo`` may carry its tag; ``tag`` overrides it."""
        ref: str | None = None
        if repo:
            named = normalize_reference(repo)
            ref = normalize_reference(f"{named.name}:{tag}").tagged if tag else named.tagged
        image = import_rootfs(self.store, src, ref, changes, message, source)  # type: ignore[arg-type]
        self._emit("import", image, ref or image.id)
        return image


def archive_tags(src: IO[bytes]) -> set[str] | None:
    """The tags an archive names (docker-archive ``manifest.json`` RepoTags, or the OCI
    index's ref names), normalised as the store keeps them; None if it cannot be told. An
    image loaded again keeps the tags it had, but only the archive's are "Loaded"."""
    try:
        src.seek(0)
        with tarfile.open(fileobj=src, mode="r:*") as tar:
            for member in tar:
                if member.name.lstrip("./") == "manifest.json" and member.isfile():
                    data = tar.extractfile(member)
                    doc = json.loads(data.read(MAX_MANIFEST)) if data is not None else []
                    tags = [t for entry in doc if isinstance(entry, dict) for t in entry.get("RepoTags") or []]
                    return {_normal(t) for t in tags if isinstance(t, str)}
    except (OSError, tarfile.TarError, ValueError, EOFError):
        return None
    return None


MAX_MANIFEST = 16 << 20


def _normal(tag: str) -> str:
    try:
        return normalize_reference(tag).tagged or tag
    except InvalidReference:
        return tag
