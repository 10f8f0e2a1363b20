"""COPY and ADD sources: find them in a tree (globs, symlinks in scope) and hash their content.

The hash is the cache key's view of the files: names, types, permission bits and contents
(or link targets), never mtimes or owners, so a fresh checkout of the same files still hits
the cache. Only the sources of the step are read, never the whole context.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import stat
from collections.abc import Iterator
from dataclasses import dataclass

from sandbox.errors import BuildContextError
from sandbox.images.build.ignore import go_match, has_glob
from sandbox.images.build.trees import DirTree, Parts, Tree, resolve, split

_CHUNK = 1 << 20


@dataclass(frozen=True)
class Source:
    tree: Tree
    parts: Parts
    """Where the content is in ``tree``, symlinks already followed."""
    name: str
    """The name it gets under a destination directory (the last component as written)."""
    given: str
    """The source as written in the Dockerfile (for messages)."""

    def stat(self) -> os.stat_result:
        st = self.tree.lstat(self.parts)
        assert st is not None
        return st

    @property
    def is_dir(self) -> bool:
        return stat.S_ISDIR(self.stat().st_mode)


def _check_inside(src: str) -> None:
    cleaned = posixpath.normpath(src.lstrip("/")) if not src.startswith("/") else posixpath.normpath(src)
    if cleaned == ".." or cleaned.startswith("../"):
        raise BuildContextError(f"forbidden path outside the build context: {src} ()",
                                "COPY and ADD read only from the build context: move the file into it")


def _glob(tree: Tree, pattern: Parts) -> list[Parts]:
    """Match one pattern component per directory level, as Go's filepath.Match would."""
    found: list[Parts] = [()]
    for comp in pattern:
        nxt: list[Parts] = []
        for base in found:
            if not has_glob(comp):
                if tree.lstat(base + (comp,)) is not None:
                    nxt.append(base + (comp,))
                continue
            nxt += [base + (name,) for name in tree.listdir(resolve(tree, base)) if go_match(comp, name)]
        found = nxt
    return found


def find_sources(tree: Tree, given: list[str], instruction: str, from_context: bool) -> list[Source]:
    out: list[Source] = []
    for src in given:
        if from_context:
            _check_inside(src)
        pattern = split(src)
        if has_glob(src):
            matches = _glob(tree, pattern)
            out += [Source(tree, resolve(tree, m), m[-1] if m else ".", src) for m in matches]
            continue
        parts = resolve(tree, pattern)
        if tree.lstat(parts) is None:
            where = "build context or excluded by .dockerignore" if isinstance(tree, DirTree) else tree.label
            raise BuildContextError(f"{instruction} failed: file not found in {where}: stat {src}: "
                                    "file does not exist")
        out.append(Source(tree, parts, pattern[-1] if pattern else ".", src))
    if not out:
        raise BuildContextError(f"{instruction} failed: no source files were specified",
                                "the wildcard matched nothing in the build context")
    return out


def walk(tree: Tree, parts: Parts) -> Iterator[tuple[Parts, os.stat_result]]:
    """``parts`` and, for a directory, everything below it: parents before children, sorted."""
    st = tree.lstat(parts)
    if st is None:
        return
    yield parts, st
    if stat.S_ISDIR(st.st_mode):
        for name in tree.listdir(parts):
            yield from walk(tree, parts + (name,))


def file_digest(tree: Tree, parts: Parts) -> str:
    h = hashlib.sha256()
    host = tree.host(parts)
    assert host is not None
    with open(host, "rb") as f:
        while chunk := f.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def content_hash(sources: list[Source]) -> str:
    """``file:…``, ``dir:…`` or ``multi:…`` as in Docker's history, over names, types, modes
    and contents."""
    h = hashlib.sha256()
    for src in sources:
        h.update(f"source {src.name}\0".encode())
        for parts, st in walk(src.tree, src.parts):
            rel = "/".join(parts[len(src.parts):])
            mode = st.st_mode
            if stat.S_ISREG(mode):
                what = "f " + file_digest(src.tree, parts)
            elif stat.S_ISLNK(mode):
                host = src.tree.host(parts)
                what = "l " + (os.readlink(host) if host else "")
            elif stat.S_ISDIR(mode):
                what = "d"
            else:
                what = "o"
            h.update(f"{rel}\0{stat.S_IMODE(mode):o}\0{what}\n".encode())
    kind = "multi" if len(sources) > 1 else ("dir" if sources[0].is_dir else "file")
    return f"{kind}:{h.hexdigest()}"
