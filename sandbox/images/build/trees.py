"""File trees a build reads from without mounting anything.

- ``DirTree``: a directory on the host, the build context (with ``.dockerignore`` applied);
- ``LayerTree``: the merged view of an image's layers, read through the store's layer
  directories the way overlayfs would show them (whiteouts and opaque directories honoured).

``resolve`` follows symlinks the way Docker resolves a path "in scope": an absolute link
target starts again at the tree's root, and ``..`` never climbs above it, so nothing a
context or an image holds can point a build outside of them.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from sandbox.errors import BuildContextError
from sandbox.images.build.ignore import IgnoreRules

if TYPE_CHECKING:
    from sandbox.storage import Store

Parts = tuple[str, ...]
_MAX_HOPS = 255


def split(path: str) -> Parts:
    """``/a/./b//c`` -> ("a", "b", "c"); ``..`` is resolved lexically, never above the root."""
    out: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if out:
                out.pop()
            continue
        out.append(part)
    return tuple(out)


class Tree(Protocol):
    label: str

    def lstat(self, parts: Parts) -> os.stat_result | None: ...

    def host(self, parts: Parts) -> Path | None: ...

    def listdir(self, parts: Parts) -> list[str]: ...


def _lstat(path: Path) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None


class DirTree:
    """A host directory; entries ``.dockerignore`` excludes are not there."""

    def __init__(self, root: Path, ignore: IgnoreRules | None = None, label: str = "build context") -> None:
        self.root = Path(root)
        self.ignore = ignore or IgnoreRules()
        self.label = label

    def _hidden(self, parts: Parts, st: os.stat_result) -> bool:
        if not parts or not self.ignore.excluded("/".join(parts)):
            return False
        # An excluded directory may still hold files a "!" line brings back.
        return not (stat.S_ISDIR(st.st_mode) and self.ignore.reincludes_below("/".join(parts)))

    def lstat(self, parts: Parts) -> os.stat_result | None:
        st = _lstat(self.root.joinpath(*parts))
        if st is None or self._hidden(parts, st):
            return None
        return st

    def host(self, parts: Parts) -> Path | None:
        return self.root.joinpath(*parts) if self.lstat(parts) is not None else None

    def listdir(self, parts: Parts) -> list[str]:
        try:
            names = sorted(os.listdir(self.root.joinpath(*parts)))
        except (FileNotFoundError, NotADirectoryError):
            return []
        return [n for n in names if self.lstat(parts + (n,)) is not None]


class LayerTree:
    """An image's merged file system, from its layers' diff directories (top first)."""

    def __init__(self, store: Store, layer_ids: list[str], label: str = "image") -> None:
        self.store = store
        self.label = label
        self.diffs = [store.layer(x).diff for x in reversed(layer_ids)]
        self.overlay = store.driver.whiteouts == "overlay"

    def host(self, parts: Parts) -> Path | None:
        if not self.diffs:
            return None
        if not parts:
            return self.diffs[0]
        return self.store.driver.lookup(self.diffs, list(parts))

    def lstat(self, parts: Parts) -> os.stat_result | None:
        path = self.host(parts)
        return None if path is None else _lstat(path)

    def listdir(self, parts: Parts) -> list[str]:
        if not self.diffs:
            return []
        if not self.overlay:
            try:
                return sorted(os.listdir(self.diffs[0].joinpath(*parts)))
            except (FileNotFoundError, NotADirectoryError):
                return []
        names: set[str] = set()
        for diff in self.diffs:
            d = diff.joinpath(*parts)
            if d.is_dir() and not d.is_symlink():
                names.update(os.listdir(d))
        return sorted(n for n in names if self.host(parts + (n,)) is not None)


class EmptyTree:
    """``FROM scratch``: nothing at all."""

    label = "scratch"

    def lstat(self, parts: Parts) -> os.stat_result | None:
        return None

    def host(self, parts: Parts) -> Path | None:
        return None

    def listdir(self, parts: Parts) -> list[str]:
        return []


def read_text(tree: Tree, path: str) -> str | None:
    """A small file's text (``/etc/passwd``), or None if the tree has no such file."""
    found = tree.host(resolve(tree, split(path)))
    if found is None or not found.is_file():
        return None
    try:
        return found.read_text(errors="replace")
    except OSError:
        return None


def resolve(tree: Tree, parts: Parts, follow_last: bool = True) -> Parts:
    """``parts`` with every symlink on the way followed inside ``tree`` (the last one only
    if ``follow_last``). Missing components are kept as they are."""
    todo = list(parts)
    done: list[str] = []
    hops = 0
    while todo:
        comp = todo.pop(0)
        candidate = tuple(done) + (comp,)
        st = tree.lstat(candidate)
        if st is None or not stat.S_ISLNK(st.st_mode) or (not todo and not follow_last):
            done.append(comp)
            continue
        hops += 1
        if hops > _MAX_HOPS:
            where = "/" + "/".join(candidate)
            raise BuildContextError(f"too many levels of symbolic links at {where} in the {tree.label}")
        host = tree.host(candidate)
        assert host is not None
        target = os.readlink(host)
        base = [] if target.startswith("/") else list(done)
        todo = list(split("/".join(base) + "/" + target)) + todo
        done = []
    return tuple(done)
