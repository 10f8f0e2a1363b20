"""Writing a tree into a tar from directory descriptors (never by path), staying on one
file system: a mount point inside (a container's /proc, /dev) is written as an empty entry
of its kind, not descended into, like ``tar --one-file-system`` — except the container's own
volumes and binds, whose files ``docker cp`` is meant to copy."""

from __future__ import annotations

import io
import os
import stat
import tarfile
from collections.abc import Mapping
from typing import BinaryIO

from sandbox.engine.containers.fspath import open_source

_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK


class _Exactly(io.RawIOBase):
    """A file read as exactly ``size`` bytes: a file that shrank while we read (a running
    container writing to it) is padded with zeros, one that grew is cut, so the tar stays whole."""

    def __init__(self, f: BinaryIO, size: int) -> None:
        self.f = f
        self.left = size

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray) -> int:  # type: ignore[override]
        if self.left <= 0:
            return 0
        n = min(len(b), self.left)
        data = self.f.read(n) or b""
        if not data:
            data = b"\0" * n
        b[:len(data)] = data
        self.left -= len(data)
        return len(data)


class TreeWriter:
    """``device`` is the file system the tree starts on. ``mounts`` are the container's own
    mounts by container path (volumes, binds, its /etc files): the walk crosses into them
    although they are other file systems, as ``docker cp`` shows a volume's files. A mount
    with a host source (a stopped container's, not mounted anywhere) is read from there;
    one with None is already in place under the root being walked (a running container's)."""

    def __init__(self, out: BinaryIO, device: int, mounts: Mapping[str, str | None] | None = None) -> None:
        self.tar = tarfile.open(fileobj=out, mode="w|", format=tarfile.PAX_FORMAT)
        self.device = device
        self.mounts = dict(mounts or {})
        self.links: dict[tuple[int, int], str] = {}

    def close(self) -> None:
        self.tar.close()

    def add(self, dir_fd: int, name: str | None, arcname: str, st: os.stat_result,
            path: str | None = None, device: int | None = None) -> None:
        """Write the entry ``name`` of ``dir_fd`` (``None``: ``dir_fd`` itself) and, for a
        directory on our file system, everything below it. ``path`` is its path in the
        container (None: mounts below are not looked for); ``device`` its file system."""
        device = self.device if device is None else device
        info = tarfile.TarInfo(arcname)
        info.mode = stat.S_IMODE(st.st_mode)
        info.uid, info.gid = st.st_uid, st.st_gid
        info.mtime = int(st.st_mtime)
        mode = st.st_mode
        foreign = st.st_dev != device
        if stat.S_ISDIR(mode):
            info.type = tarfile.DIRTYPE
            self.tar.addfile(info)
            if not foreign:
                self._children(dir_fd, name, arcname, path, device)
        elif stat.S_ISLNK(mode):
            info.type = tarfile.SYMTYPE
            info.linkname = os.readlink(name or ".", dir_fd=dir_fd)
            self.tar.addfile(info)
        elif stat.S_ISREG(mode):
            key = (st.st_dev, st.st_ino)
            if st.st_nlink > 1 and key in self.links:
                info.type = tarfile.LNKTYPE
                info.linkname = self.links[key]
                self.tar.addfile(info)
                return
            if st.st_nlink > 1:
                self.links[key] = arcname
            if foreign or name is None:
                info.size = 0
                self.tar.addfile(info)
                return
            try:
                fd = os.open(name, _FILE_FLAGS, dir_fd=dir_fd)
            except OSError:
                return  # replaced or removed since we listed it (a running container): left out
            with os.fdopen(fd, "rb") as f:
                info.size = st.st_size
                self.tar.addfile(info, io.BufferedReader(_Exactly(f, st.st_size)))
        elif stat.S_ISFIFO(mode):
            info.type = tarfile.FIFOTYPE
            self.tar.addfile(info)
        elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
            info.type = tarfile.CHRTYPE if stat.S_ISCHR(mode) else tarfile.BLKTYPE
            info.devmajor, info.devminor = os.major(st.st_rdev), os.minor(st.st_rdev)
            self.tar.addfile(info)
        # sockets have no tar form: left out, as tar does

    def children(self, dir_fd: int, arcname: str = ".", path: str | None = None) -> None:
        """Everything inside ``dir_fd`` (without an entry for the directory itself)."""
        self._children(dir_fd, None, arcname, path, os.fstat(dir_fd).st_dev)

    def _children(self, dir_fd: int, name: str | None, arcname: str, path: str | None, device: int) -> None:
        fd = os.dup(dir_fd) if name is None else os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
                                                         | os.O_CLOEXEC, dir_fd=dir_fd)
        try:
            for child in self._listing(fd, path):
                prefix = arcname.rstrip("/")
                child_arc = f"{prefix}/{child}" if prefix and prefix != "." else child
                child_path = None if path is None else f"{path.rstrip('/')}/{child}"
                if child_path is not None and child_path in self.mounts:
                    self._mounted(fd, child, child_arc, child_path)
                    continue
                try:
                    st = os.stat(child, dir_fd=fd, follow_symlinks=False)
                except FileNotFoundError:
                    continue  # gone meanwhile (a running container)
                self.add(fd, child, child_arc, st, child_path, device)
        finally:
            os.close(fd)

    def _listing(self, fd: int, path: str | None) -> list[str]:
        """The directory's entries, and the mount points right below it that it lacks (a
        stopped container's source need not have the directory a nested mount sits on)."""
        names = set(os.listdir(fd))
        if path is not None:
            prefix = path.rstrip("/") + "/"
            for dest in self.mounts:
                if dest.startswith(prefix) and "/" not in dest[len(prefix):] and self.mounts[dest] is not None:
                    names.add(dest[len(prefix):])
        return sorted(names)

    def _mounted(self, dir_fd: int, child: str, arcname: str, path: str) -> None:
        """A mount point: its own file system is the one to stay on below it."""
        source = self.mounts[path]
        if source is None:
            try:
                st = os.stat(child, dir_fd=dir_fd, follow_symlinks=False)
            except FileNotFoundError:
                return
            self.add(dir_fd, child, arcname, st, path, st.st_dev)
            return
        try:
            fd, name, st = open_source(source)
        except FileNotFoundError:
            return  # a bind whose host side is gone: the container would see nothing either
        try:
            self.add(fd, name, arcname, st, path, st.st_dev)
        finally:
            os.close(fd)
