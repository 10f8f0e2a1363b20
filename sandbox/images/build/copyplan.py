"""Where each COPY/ADD source lands in the image, as Docker's legacy builder decides it.

- a directory source copies its *contents* into the destination;
- a file goes to ``DEST/NAME`` when the destination ends with ``/`` or is a directory in
  the image, else it becomes ``DEST`` itself;
- missing parent directories are made (0755, owned like the copied files);
- files are root's unless ``--chown``; ADD keeps the owners stored in a local archive,
  which it unpacks (with the store's safe tar apply) instead of copying.
"""

from __future__ import annotations

import lzma
import os
import stat
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from sandbox.errors import BuildContextError, SandboxError
from sandbox.images.build.layertar import Entries, TarEntry, existing_dir, kind_of
from sandbox.images.build.sources import Source, walk
from sandbox.images.build.trees import DirTree, Parts, Tree, resolve, split


@dataclass
class CopyRequest:
    sources: list[Source]
    dest: str
    """Absolute (WORKDIR already applied); a trailing ``/`` means a directory."""
    target: Tree
    """The image the layer goes on."""
    scratch: Path
    """A directory for unpacked archives, alive until the layer is written."""
    owner: tuple[int, int] | None = None
    chmod: int | None = None
    unpack_archives: bool = False


def is_archive(path: Path) -> bool:
    """Does the file hold a tar (maybe gzip, bzip2 or xz compressed)? Like Docker, decided
    by reading it, not by its name."""
    from sandbox.images.build.context import decompressed

    try:
        with open(path, "rb") as raw:
            stream = decompressed(raw)
            with tarfile.open(fileobj=stream, mode="r|") as tf:  # type: ignore[call-overload]
                return tf.next() is not None
    except (tarfile.TarError, OSError, EOFError, lzma.LZMAError):
        return False


def _unpack_archive(path: Path, scratch: Path) -> Path:
    from sandbox.images.build.context import decompressed
    from sandbox.storage.tarapply import apply_tar

    scratch.mkdir(parents=True, exist_ok=True)
    target = Path(tempfile.mkdtemp(prefix="add-", dir=scratch))
    try:
        with open(path, "rb") as raw:
            apply_tar(decompressed(raw), target, "delete")
    except SandboxError as e:
        raise BuildContextError(f"ADD failed: cannot unpack {path.name}: {e.message}", e.hint) from e
    except (OSError, EOFError, lzma.LZMAError) as e:
        raise BuildContextError(f"ADD failed: cannot unpack {path.name}: {e}") from e
    return target


class _Planner:
    def __init__(self, req: CopyRequest) -> None:
        self.req = req
        self.entries = Entries()
        self.owner = req.owner or (0, 0)
        self.now = int(time.time())

    def parents(self, parts: Parts) -> None:
        """Entries for ``parts`` and each directory above it."""
        for i in range(1, len(parts) + 1):
            p = parts[:i]
            if self.entries.has(p):
                continue
            existing = existing_dir(self.req.target, p)
            self.entries.add(existing or TarEntry(p, "dir", 0o755, *self.owner, mtime=self.now))

    def _mode(self, st: os.stat_result) -> int:
        if self.req.chmod is not None and not stat.S_ISLNK(st.st_mode):
            return self.req.chmod
        return stat.S_IMODE(st.st_mode)

    def entry(self, tree: Tree, parts: Parts, st: os.stat_result, out: Parts, keep_owner: bool) -> None:
        kind = kind_of(st.st_mode)
        if kind is None:
            return
        uid, gid = (st.st_uid, st.st_gid) if keep_owner and self.req.owner is None else self.owner
        e = TarEntry(out, kind, self._mode(st), uid, gid, int(st.st_mtime))
        if kind == "file":
            e.source = tree.host(parts)
        elif kind == "symlink":
            host = tree.host(parts)
            assert host is not None
            e.linkname = os.readlink(host)
        self.entries.add(e)

    def directory(self, tree: Tree, top: Parts, dest: Parts, keep_owner: bool) -> None:
        self.parents(dest[:-1])
        for parts, st in walk(tree, top):
            rel = parts[len(top):]
            out = dest + rel
            if not out:
                continue  # the image's root keeps its own attributes
            if not rel and existing_dir(self.req.target, dest) is not None:
                self.parents(dest)  # copying into a directory the image has: keep it as it is
                continue
            self.entry(tree, parts, st, out, keep_owner)

    def plan(self) -> Entries:
        req = self.req
        dest = resolve(req.target, split(req.dest))
        existing = req.target.lstat(dest)
        is_dir = existing is not None and stat.S_ISDIR(existing.st_mode)
        into_dir = req.dest.endswith("/") or not dest or is_dir
        for src in req.sources:
            st = src.stat()
            if stat.S_ISDIR(st.st_mode):
                self.directory(src.tree, src.parts, dest, keep_owner=False)
                continue
            host = src.tree.host(src.parts)
            if req.unpack_archives and host is not None and stat.S_ISREG(st.st_mode) and is_archive(host):
                unpacked = _unpack_archive(host, req.scratch)
                self.directory(DirTree(unpacked, label="archive"), (), dest, keep_owner=True)
                continue
            out = dest + (src.name,) if into_dir else dest
            if not out:
                raise BuildContextError(f"cannot copy {src.given} onto the image's root directory")
            self.parents(out[:-1])
            self.entry(src.tree, src.parts, st, out, keep_owner=False)
        return self.entries


def plan_copy(req: CopyRequest) -> Entries:
    return _Planner(req).plan()


def plan_mkdir(target: Tree, path: str) -> Entries | None:
    """WORKDIR: the entries that make ``path`` (and its parents), or None if the image
    already has that directory."""
    parts = resolve(target, split(path))
    if not parts or existing_dir(target, parts) is not None:
        return None
    planner = _Planner(CopyRequest(sources=[], dest=path, target=target, scratch=Path("/nonexistent")))
    planner.parents(parts)
    return planner.entries
