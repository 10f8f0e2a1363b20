"""Which layer's file does a merged view show at a path? overlayfs's lookup, in user space.

The kernel looks a name up in the upper directory, then in each lower directory from the
top, and stops at the first layer that has it, at a whiteout (the name was deleted), at a
non-directory on the way (it hides everything below), or after an opaque directory (the
layers below it do not show through). Doing the same here lets the store answer "where
does /etc/passwd come from?" and compute a container's changes without a mount.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Sequence
from pathlib import Path

from sandbox.storage import whiteouts as wh


def _lstat(path: Path) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except OSError as e:
        if e.errno in (errno.ENOENT, errno.ENOTDIR):
            return None
        raise


def _probe(layer: Path, parts: Sequence[str]) -> tuple[str, Path | None]:
    """One layer's answer: ("found", path), ("hidden", None) if this layer deletes the
    name, ("absent", None) if it says nothing, ("blocked", None) if it says nothing but an
    opaque directory on the way stops the search."""
    blocked = False
    cur = Path(layer)
    for comp in parts[:-1]:
        cur = cur / comp
        st = _lstat(cur)
        if st is None:
            return ("blocked" if blocked else "absent"), None
        if not stat.S_ISDIR(st.st_mode):
            # A whiteout, or a file where a directory should be, hides everything below.
            return "hidden", None
        if wh.is_opaque(str(cur)):
            blocked = True
    target = cur / parts[-1]
    st = _lstat(target)
    if st is not None:
        return ("hidden", None) if wh.is_overlay_whiteout(st) else ("found", target)
    return ("blocked" if blocked else "absent"), None


def overlay_lookup(layers: Sequence[Path], parts: Sequence[str]) -> Path | None:
    """The path of the entry the merged view shows at ``parts``, or None if there is none.

    ``layers`` are directories in overlay form (whiteouts as 0/0 devices), top first."""
    if not parts:
        return Path(layers[0]) if layers else None
    for layer in layers:
        answer, path = _probe(Path(layer), parts)
        if answer == "found":
            return path
        if answer in ("hidden", "blocked"):
            return None
    return None
