"""A layer made from a list of entries (COPY, ADD, WORKDIR), without any container.

Docker's legacy builder copies into a container's mounted root and commits it. The same
layer can be written directly: the tar holds the destination's parent directories (with the
attributes they have in the image, as a copy-up would keep them), then the copied files.
The store applies it on top of the parent layer like any pulled layer.
"""

from __future__ import annotations

import os
import stat
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal

from sandbox.images.build.trees import Parts, Tree

EntryKind = Literal["dir", "file", "symlink", "fifo"]


@dataclass
class TarEntry:
    parts: Parts
    kind: EntryKind
    mode: int
    uid: int = 0
    gid: int = 0
    mtime: int = 0
    source: Path | None = None
    """The host file with a regular file's content."""
    linkname: str = ""


def kind_of(mode: int) -> EntryKind | None:
    if stat.S_ISDIR(mode):
        return "dir"
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISLNK(mode):
        return "symlink"
    if stat.S_ISFIFO(mode):
        return "fifo"
    return None  # sockets and devices are never copied into a layer


def existing_dir(tree: Tree, parts: Parts) -> TarEntry | None:
    """The entry for a directory the image already has: same owner, mode and mtime."""
    st = tree.lstat(parts)
    if st is None or not stat.S_ISDIR(st.st_mode):
        return None
    return TarEntry(parts, "dir", stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid, int(st.st_mtime))


class Entries:
    """Ordered entries by path: a later one for the same path replaces the earlier."""

    def __init__(self) -> None:
        self._by_path: dict[Parts, TarEntry] = {}

    def add(self, entry: TarEntry) -> None:
        self._by_path[entry.parts] = entry

    def has(self, parts: Parts) -> bool:
        return parts in self._by_path

    def __len__(self) -> int:
        return len(self._by_path)

    def sorted(self) -> list[TarEntry]:
        # Parents first: a tar applied in order needs each directory before its children.
        return sorted(self._by_path.values(), key=lambda e: e.parts)


def write_tar(entries: list[TarEntry], out: BinaryIO) -> None:
    with tarfile.open(fileobj=out, mode="w|", format=tarfile.PAX_FORMAT) as tar:
        for e in entries:
            name = "/".join(e.parts)
            info = tarfile.TarInfo(name + ("/" if e.kind == "dir" else ""))
            info.mode = e.mode & 0o7777
            info.uid, info.gid = e.uid, e.gid
            info.uname = info.gname = ""
            info.mtime = e.mtime
            if e.kind == "dir":
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            elif e.kind == "symlink":
                info.type = tarfile.SYMTYPE
                info.linkname = e.linkname
                tar.addfile(info)
            elif e.kind == "fifo":
                info.type = tarfile.FIFOTYPE
                tar.addfile(info)
            else:
                assert e.source is not None
                with open(e.source, "rb") as f:
                    info.size = os.fstat(f.fileno()).st_size
                    tar.addfile(info, f)
