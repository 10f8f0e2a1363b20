"""Helpers for the storage tests: a tar builder and a sentinel directory that must stay untouched."""

from __future__ import annotations

import gzip
import io
import os
import stat
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

MTIME = 1_600_000_000


@dataclass
class TarBuilder:
    """``TarBuilder().dir("etc").file("etc/passwd", b"root").whiteout("etc/old").bytes()``"""

    members: list[tuple[tarfile.TarInfo, bytes | None]] = field(default_factory=list)

    def _info(self, name: str, type_: bytes, mode: int, uid: int = 0, gid: int = 0) -> tarfile.TarInfo:
        info = tarfile.TarInfo(name)
        info.type = type_
        info.mode = mode
        info.uid, info.gid = uid, gid
        info.mtime = MTIME
        return info

    def file(
        self,
        name: str,
        data: bytes = b"",
        mode: int = 0o644,
        uid: int = 0,
        gid: int = 0,
        xattrs: dict[str, bytes] | None = None,
    ) -> TarBuilder:
        info = self._info(name, tarfile.REGTYPE, mode, uid, gid)
        info.size = len(data)
        if xattrs:
            info.pax_headers = {
                "SCHILY.xattr." + k: v.decode("utf-8", "surrogateescape") for k, v in xattrs.items()
            }
        self.members.append((info, data))
        return self

    def dir(self, name: str, mode: int = 0o755, uid: int = 0, gid: int = 0) -> TarBuilder:
        self.members.append((self._info(name, tarfile.DIRTYPE, mode, uid, gid), None))
        return self

    def symlink(self, name: str, target: str) -> TarBuilder:
        info = self._info(name, tarfile.SYMTYPE, 0o777)
        info.linkname = target
        self.members.append((info, None))
        return self

    def hardlink(self, name: str, target: str) -> TarBuilder:
        info = self._info(name, tarfile.LNKTYPE, 0o644)
        info.linkname = target
        self.members.append((info, None))
        return self

    def fifo(self, name: str, mode: int = 0o644) -> TarBuilder:
        self.members.append((self._info(name, tarfile.FIFOTYPE, mode), None))
        return self

    def device(self, name: str, kind: bytes = tarfile.CHRTYPE, major: int = 1, minor: int = 3) -> TarBuilder:
        info = self._info(name, kind, 0o666)
        info.devmajor, info.devminor = major, minor
        self.members.append((info, None))
        return self

    def whiteout(self, path: str) -> TarBuilder:
        parent, _, name = path.rpartition("/")
        return self.file(f"{parent}/.wh.{name}" if parent else f".wh.{name}", b"", 0o600)

    def opaque(self, directory: str) -> TarBuilder:
        return self.file(f"{directory}/.wh..wh..opq", b"", 0o600)

    def bytes(self) -> bytes:
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
            for info, data in self.members:
                tf.addfile(info, io.BytesIO(data) if data is not None else None)
        return buf.getvalue()

    def gz(self) -> bytes:
        return gzip.compress(self.bytes(), mtime=0)

    def stream(self) -> io.BytesIO:
        return io.BytesIO(self.bytes())


@pytest.fixture
def tar() -> type[TarBuilder]:
    return TarBuilder


def snapshot(root: Path) -> dict[str, tuple[int, int, int, bytes | str | None]]:
    """Everything about a tree that a write, chmod, chown, delete or link would change."""
    out: dict[str, tuple[int, int, int, bytes | str | None]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            st = os.lstat(path)
            content: bytes | str | None = None
            if stat.S_ISREG(st.st_mode):
                content = Path(path).read_bytes()
            elif stat.S_ISLNK(st.st_mode):
                content = os.readlink(path)
            out[os.path.relpath(path, root)] = (st.st_mode, st.st_nlink, st.st_mtime_ns, content)
    st = os.lstat(root)
    out["."] = (st.st_mode, st.st_nlink, st.st_mtime_ns, None)
    return out


@dataclass
class Sentinel:
    path: Path
    before: dict

    def untouched(self) -> bool:
        return snapshot(self.path) == self.before


@pytest.fixture
def sentinel(tmp_path: Path) -> Sentinel:
    """A directory next to the extraction target, with a file hostile tars aim at."""
    path = tmp_path / "sentinel"
    path.mkdir()
    (path / "secret").write_bytes(b"do not touch\n")
    (path / "sub").mkdir()
    (path / "sub" / "keep").write_bytes(b"keep\n")
    return Sentinel(path, snapshot(path))


@pytest.fixture
def target(tmp_path: Path) -> Path:
    path = tmp_path / "target"
    path.mkdir()
    return path
