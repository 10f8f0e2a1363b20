"""Write a layer tarball from a container's read-write layer (the reverse of tarapply).

From an overlay upper directory, the kernel's whiteouts are translated to OCI ones: a 0/0
character device NAME becomes an empty ``.wh.NAME``, and a directory carrying
``trusted.overlay.opaque=y`` gets a ``.wh..wh..opq`` entry right after its own. From a list
of changes (the copy driver), deletions become ``.wh.NAME`` and everything else is written
as it is now. Entries are sorted and carry no user or group names, so the same tree always
gives the same bytes.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

from sandbox.storage import whiteouts as wh
from sandbox.storage.changes import Change

_PAX_XATTR = "SCHILY.xattr."


class _Writer:
    def __init__(self, out: BinaryIO) -> None:
        import tarfile

        self._tarfile = tarfile
        # Closed by close(), which writes the end-of-archive blocks.
        self.tf = tarfile.open(  # type: ignore[call-overload]  # noqa: SIM115
            fileobj=out, mode="w|", format=tarfile.PAX_FORMAT)
        self._inodes: dict[tuple[int, int], str] = {}

    def close(self) -> None:
        self.tf.close()

    def whiteout(self, parent: Sequence[str], name: str) -> None:
        info = self._tarfile.TarInfo("/".join([*parent, name]))
        info.type = self._tarfile.REGTYPE
        info.mode = 0o600
        info.mtime = 0
        info.uname = info.gname = ""
        self.tf.addfile(info)

    def entry(self, path: str, arcname: str) -> None:
        """Add one file system entry (not its children). Devices are left out: a layer
        never carries them, the runtime makes the ones a container gets."""
        tarfile = self._tarfile
        st = os.lstat(path)
        info = tarfile.TarInfo(arcname)
        info.mode = stat.S_IMODE(st.st_mode)
        info.uid, info.gid = st.st_uid, st.st_gid
        info.uname = info.gname = ""
        info.mtime = int(st.st_mtime)
        xattrs = self._xattrs(path)
        if xattrs:
            info.pax_headers = xattrs
        if stat.S_ISREG(st.st_mode):
            key = (st.st_dev, st.st_ino)
            if st.st_nlink > 1 and key in self._inodes:
                info.type = tarfile.LNKTYPE
                info.linkname = self._inodes[key]
                self.tf.addfile(info)
                return
            if st.st_nlink > 1:
                self._inodes[key] = arcname
            info.type = tarfile.REGTYPE
            info.size = st.st_size
            with open(path, "rb") as f:
                self.tf.addfile(info, f)
        elif stat.S_ISDIR(st.st_mode):
            info.type = tarfile.DIRTYPE
            self.tf.addfile(info)
        elif stat.S_ISLNK(st.st_mode):
            info.type = tarfile.SYMTYPE
            info.linkname = os.readlink(path)
            self.tf.addfile(info)
        elif stat.S_ISFIFO(st.st_mode):
            info.type = tarfile.FIFOTYPE
            self.tf.addfile(info)

    @staticmethod
    def _xattrs(path: str) -> dict[str, str]:
        out: dict[str, str] = {}
        try:
            names = os.listxattr(path, follow_symlinks=False)
        except OSError:
            return out
        for name in sorted(names):
            if not name.startswith(("user.", "security.")):
                continue  # trusted.overlay.* is the kernel's bookkeeping, not content
            try:
                raw = os.getxattr(path, name, follow_symlinks=False)
            except OSError:
                continue
            out[_PAX_XATTR + name] = raw.decode("utf-8", "surrogateescape")
        return out


def export_overlay_upper(upper: Path, out: BinaryIO) -> None:
    """An overlay upper directory as an OCI layer tar, written to ``out``."""
    writer = _Writer(out)

    def walk(dirpath: str, rel: list[str]) -> None:
        with os.scandir(dirpath) as it:
            entries = sorted(it, key=lambda e: e.name)
        for entry in entries:
            st = entry.stat(follow_symlinks=False)
            if wh.is_overlay_whiteout(st):
                writer.whiteout(rel, wh.WH_PREFIX + entry.name)
                continue
            if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode):
                continue
            arcname = "/".join(rel + [entry.name])
            writer.entry(entry.path, arcname)
            if stat.S_ISDIR(st.st_mode):
                if wh.is_opaque(entry.path):
                    writer.whiteout(rel + [entry.name], wh.WH_OPAQUE)
                walk(entry.path, rel + [entry.name])

    try:
        walk(str(upper), [])
    finally:
        writer.close()


def export_changes(changes: Sequence[Change], root: Path, out: BinaryIO) -> None:
    """A layer tar holding ``changes`` as found under ``root`` (the container's tree)."""
    writer = _Writer(out)
    try:
        for change in sorted(changes, key=lambda c: c.parts):
            parts = change.parts
            if change.kind == "D":
                writer.whiteout(parts[:-1], wh.WH_PREFIX + parts[-1])
            else:
                writer.entry(os.path.join(root, *parts), "/".join(parts))
    finally:
        writer.close()


__all__ = ["export_changes", "export_overlay_upper"]
