"""What a container changed on disk: ``docker diff`` and the sizes ``ps -s`` shows."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from sandbox.engine.containers.registry import Container
from sandbox.errors import ContainerLayerUnknown, StorageError

if TYPE_CHECKING:
    from sandbox.engine.containers.context import Engine

_KIND = {"C": 0, "A": 1, "D": 2}
"""Docker's change kinds: 0 modified, 1 added, 2 deleted."""


MOUNT_TARGETS = ("/etc/hostname", "/etc/hosts", "/etc/resolv.conf")
"""Files the engine binds into every container. An image without them gets them made as
mount targets in the container's layer; dockerd makes those in a hidden init layer, so
``docker diff`` never shows them, and neither do we."""


def changes(eng: Engine, c: Container) -> list[dict[str, Any]]:
    try:
        found = eng.store.diff_container(c.id)
    except ContainerLayerUnknown:
        return []
    kept = [ch for ch in found if not (ch.kind == "A" and ch.path in MOUNT_TARGETS)]
    if len(kept) != len(found):
        # /etc shows as changed only because a mount target was made in it.
        if not any(ch.path.startswith("/etc/") for ch in kept):
            kept = [ch for ch in kept if not (ch.path == "/etc" and ch.kind == "C")]
    return [{"Path": ch.path, "Kind": _KIND[ch.kind]} for ch in kept]


def tree_size(path: str | os.PathLike[str] | None) -> int:
    """Bytes of the regular files under ``path``, links not followed."""
    total = 0
    if not path:
        return 0
    for dirpath, _dirs, names in os.walk(path):
        for name in names:
            try:
                st = os.lstat(os.path.join(dirpath, name))
            except OSError:
                continue
            total += st.st_size
    return total


def sizes(eng: Engine, c: Container) -> tuple[int, int]:
    """(SizeRw, SizeRootFs): the read-write layer, and that plus the image."""
    try:
        layout = eng.store.container_rootfs(c.id)
    except ContainerLayerUnknown:
        return 0, 0
    rw = tree_size(layout.upperdir if layout.kind == "overlay" else layout.path)
    try:
        image = eng.store.image(c.rec.image_id).size
    except StorageError:
        image = 0
    return rw, rw + (image if layout.kind == "overlay" else 0)
