"""A reproducible tar writer: the same entries always give the same bytes.

Entries are sorted by path, every mtime is one fixed value, owners are numeric with no user
or group names, and nothing host-specific (inode numbers, access times) is recorded.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import BinaryIO, Literal


@dataclass(frozen=True)
class TarEntry:
    path: str
    kind: Literal["dir", "file", "symlink"]
    mode: int = 0o755
    data: bytes = b""
    target: str = ""
    uid: int = 0
    gid: int = 0


@dataclass
class ReproducibleTar:
    mtime: int = 0
    entries: dict[str, TarEntry] = field(default_factory=dict)

    def dir(self, path: str, mode: int = 0o755, uid: int = 0, gid: int = 0) -> None:
        self.entries[path] = TarEntry(path, "dir", mode, uid=uid, gid=gid)

    def file(self, path: str, data: bytes, mode: int = 0o644, uid: int = 0, gid: int = 0) -> None:
        self.entries[path] = TarEntry(path, "file", mode, data=data, uid=uid, gid=gid)

    def symlink(self, path: str, target: str) -> None:
        self.entries[path] = TarEntry(path, "symlink", 0o777, target=target)

    def write(self, out: BinaryIO) -> None:
        import tarfile

        with tarfile.open(fileobj=out, mode="w|", format=tarfile.PAX_FORMAT) as tf:
            for path in sorted(self.entries):
                e = self.entries[path]
                info = tarfile.TarInfo(path)
                info.mode, info.uid, info.gid, info.mtime = e.mode, e.uid, e.gid, self.mtime
                info.uname = info.gname = ""
                if e.kind == "dir":
                    info.type = tarfile.DIRTYPE
                    tf.addfile(info)
                elif e.kind == "symlink":
                    info.type = tarfile.SYMTYPE
                    info.linkname = e.target
                    tf.addfile(info)
                else:
                    info.type = tarfile.REGTYPE
                    info.size = len(e.data)
                    tf.addfile(info, io.BytesIO(e.data))

    def bytes(self) -> bytes:
        buf = io.BytesIO()
        self.write(buf)
        return buf.getvalue()
