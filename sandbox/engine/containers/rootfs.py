"""A container's root filesystem as the runtime mounts it, and reading files from it
before it runs (its /etc/passwd for ``--user NAME``)."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING

from sandbox.runtime.spec import Overlay

if TYPE_CHECKING:
    from sandbox.storage import Image, RootfsLayout, Store

_MAX_FILE = 1 << 20


def runtime_rootfs(layout: RootfsLayout) -> Overlay | Path:
    from sandbox.storage.rootfs import OVERLAY_OPTIONS

    if layout.kind == "overlay":
        assert layout.upperdir is not None and layout.workdir is not None
        return Overlay(lowerdirs=list(layout.lowerdirs), upperdir=layout.upperdir, workdir=layout.workdir,
                       options=OVERLAY_OPTIONS)
    assert layout.path is not None
    return Path(layout.path)


def _read_regular(path: Path) -> str | None:
    """A regular file's text; None for anything else (never follows a symlink: the file
    belongs to the container, and its links mean paths inside it, not on the host)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        return os.read(fd, _MAX_FILE).decode("utf-8", "replace")
    finally:
        os.close(fd)


def read_file(store: Store, layout: RootfsLayout, image: Image | str, relpath: str) -> str | None:
    """``relpath`` (``etc/passwd``) as the container would see it before running: its own
    upper layer first (a file it changed in an earlier run), then the image's layers.
    ``image``: its id, or the image itself when the caller has it (no record to read)."""
    if layout.kind == "dir":
        return _read_regular(Path(layout.path or "/nonexistent") / relpath)
    if layout.upperdir is not None:
        upper = layout.upperdir / relpath
        try:
            st = os.lstat(upper)
        except OSError:
            st = None
        if st is not None:
            # A 0/0 character device is overlay's mark of a deleted file.
            return _read_regular(upper) if stat.S_ISREG(st.st_mode) else None
    found = store.resolve_path(image, relpath)
    return _read_regular(found) if found is not None else None
