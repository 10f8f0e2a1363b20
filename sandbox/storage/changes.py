"""What a container changed in its read-write layer: ``docker diff``.

Two ways to find out, one per driver:

- overlay: the kernel already recorded it. Every entry in the upper directory was added or
  changed (copied up), a 0/0 device is a deletion, an opaque directory hid what was below.
  Whether an upper entry is "A" or "C" depends on whether the lower layers have it.
- copy: compare the container's full copy with the image's top layer, entry by entry
  (type, mode, owner, size, mtime, link target, xattrs). Like Docker's naive differ, a file
  rewritten with the same size and mtime is not noticed.

Both report a directory as changed when anything inside it changed, as Docker does, so the
lists agree between drivers and a layer tar made from them carries the parent directories'
owners and modes.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sandbox.storage import whiteouts as wh
from sandbox.storage.lookup import overlay_lookup

ChangeKind = Literal["A", "C", "D"]


@dataclass(frozen=True, order=True)
class Change:
    path: str
    """Absolute inside the container: ``/etc/passwd``."""
    kind: ChangeKind

    @property
    def parts(self) -> tuple[str, ...]:
        return tuple(p for p in self.path.split("/") if p)


def _path(parts: Sequence[str]) -> str:
    return "/" + "/".join(parts)


def _sorted_entries(path: Path) -> list[os.DirEntry[str]]:
    with os.scandir(path) as it:
        return sorted(it, key=lambda e: e.name)


def _with_parents(changes: Iterable[Change]) -> list[Change]:
    by_path: dict[str, Change] = {c.path: c for c in changes}
    for change in list(by_path.values()):
        parts = change.parts
        for i in range(1, len(parts)):
            parent = _path(parts[:i])
            if parent not in by_path:
                by_path[parent] = Change(parent, "C")
    return sorted(by_path.values(), key=lambda c: c.parts)


def _lower_names(lowers: Sequence[Path], parts: tuple[str, ...]) -> list[str]:
    """The names the merged lower layers show inside directory ``parts``."""
    names: set[str] = set()
    for layer in lowers:
        d = Path(layer).joinpath(*parts)
        if d.is_dir() and not d.is_symlink():
            names.update(os.listdir(d))
    return sorted(n for n in names if overlay_lookup(lowers, parts + (n,)) is not None)


def overlay_changes(upper: Path, lowers: Sequence[Path]) -> list[Change]:
    out: list[Change] = []

    def walk(dirpath: Path, rel: tuple[str, ...]) -> None:
        entries = _sorted_entries(dirpath)
        for entry in entries:
            parts = rel + (entry.name,)
            st = entry.stat(follow_symlinks=False)
            below = overlay_lookup(lowers, parts) is not None
            if wh.is_overlay_whiteout(st):
                if below:
                    out.append(Change(_path(parts), "D"))
                continue
            out.append(Change(_path(parts), "C" if below else "A"))
            if stat.S_ISDIR(st.st_mode):
                if below and wh.is_opaque(entry.path):
                    present = {e.name for e in _sorted_entries(Path(entry.path))}
                    for name in _lower_names(lowers, parts):
                        if name not in present:
                            out.append(Change(_path(parts + (name,)), "D"))
                walk(Path(entry.path), parts)

    walk(Path(upper), ())
    return _with_parents(out)


def _xattrs(path: str) -> dict[str, bytes]:
    try:
        names = os.listxattr(path, follow_symlinks=False)
    except OSError:
        return {}
    out = {}
    for name in names:
        if name.startswith(("user.", "security.")):
            try:
                out[name] = os.getxattr(path, name, follow_symlinks=False)
            except OSError:
                continue
    return out


def _differs(old: os.stat_result, new: os.stat_result, old_path: str, new_path: str) -> bool:
    if stat.S_IFMT(old.st_mode) != stat.S_IFMT(new.st_mode):
        return True
    def ident(st: os.stat_result) -> tuple[int, int, int, int]:
        return st.st_mode, st.st_uid, st.st_gid, st.st_rdev

    if ident(old) != ident(new):
        return True
    # A directory's mtime moves whenever an entry is added or removed: those entries show
    # up themselves, so the directory only counts through them.
    if not stat.S_ISDIR(new.st_mode) and (old.st_size, old.st_mtime_ns) != (new.st_size, new.st_mtime_ns):
        return True
    if stat.S_ISLNK(new.st_mode) and os.readlink(old_path) != os.readlink(new_path):
        return True
    return _xattrs(old_path) != _xattrs(new_path)


def tree_changes(old: Path | None, new: Path) -> list[Change]:
    """Changes that turn the tree ``old`` (None: empty) into the tree ``new``."""
    out: list[Change] = []

    def added(dirpath: str, rel: tuple[str, ...]) -> None:
        for entry in _sorted_entries(Path(dirpath)):
            parts = rel + (entry.name,)
            out.append(Change(_path(parts), "A"))
            if entry.is_dir(follow_symlinks=False):
                added(entry.path, parts)

    def compare(odir: str, ndir: str, rel: tuple[str, ...]) -> None:
        onames = set(os.listdir(odir))
        nnames = set(os.listdir(ndir))
        for name in sorted(onames | nnames):
            parts = rel + (name,)
            opath, npath = os.path.join(odir, name), os.path.join(ndir, name)
            if name not in nnames:
                out.append(Change(_path(parts), "D"))
                continue
            nst = os.lstat(npath)
            if name not in onames:
                out.append(Change(_path(parts), "A"))
                if stat.S_ISDIR(nst.st_mode):
                    added(npath, parts)
                continue
            ost = os.lstat(opath)
            if _differs(ost, nst, opath, npath):
                out.append(Change(_path(parts), "C"))
            if stat.S_ISDIR(ost.st_mode) and stat.S_ISDIR(nst.st_mode):
                compare(opath, npath, parts)
            elif stat.S_ISDIR(nst.st_mode):
                added(npath, parts)

    if old is None:
        added(str(new), ())
    else:
        compare(str(old), str(new), ())
    return _with_parents(out)
