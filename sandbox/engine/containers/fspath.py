"""Paths inside a container's root, resolved the way the container sees them and never
outside it: a symlink to ``/etc`` means the container's ``/etc``, ``..`` stops at its root.

Every step opens the next directory from the previous one's descriptor with
``O_NOFOLLOW``, so a container that swaps a directory for a symlink while we walk cannot
send us to the host's files (the race a string-built path would lose).

A stopped container's root has none of its mounts: with a mount table the walk steps into
a volume's or bind's host directory where the container would see it, so ``docker cp``
reaches ``/data`` of a container that is not running, as dockerd's does.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass

MAX_LINKS = 40
DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


class PathNotFound(Exception):
    """The path (or a directory on the way) does not exist inside the root."""


@dataclass(eq=False)
class Resolved:
    parent_fd: int
    """The directory holding the final component (the root itself for ``/``; a mounted
    directory itself when ``name`` is None)."""
    name: str | None
    """The final component inside ``parent_fd``; None when the path is ``parent_fd`` itself."""
    st: os.stat_result | None
    """lstat of the final component; None if it does not exist."""
    path: str = "/"
    """The canonical path inside the container: symlinks followed, ``..`` taken."""

    @property
    def base(self) -> str | None:
        """The final component as the container names it (a bound file's host name may differ)."""
        if self.path == "/":
            return None
        return self.path.rsplit("/", 1)[1]

    def close(self) -> None:
        os.close(self.parent_fd)

    def open_dir(self) -> int:
        """A new descriptor of the resolved directory."""
        if self.name is None:
            return os.dup(self.parent_fd)
        return os.open(self.name, DIR_FLAGS, dir_fd=self.parent_fd)


def _parts(path: str) -> list[str]:
    return [p for p in path.split("/") if p not in ("", ".")]


def open_source(source: str) -> tuple[int, str | None, os.stat_result]:
    """(a descriptor, a name in it or None, its stat) for a mount's host source: a directory
    is opened itself, a file through its parent. The host path is the engine's own (a
    volume's ``_data``, a bind the user named), so symlinks in it are the host's to follow,
    exactly as the bind mount followed them."""
    st = os.stat(source)
    if stat.S_ISDIR(st.st_mode):
        return os.open(source, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC), None, st
    parent, name = os.path.split(os.path.realpath(source))
    fd = os.open(parent or "/", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        return fd, name, os.stat(name, dir_fd=fd, follow_symlinks=False)
    except OSError:
        os.close(fd)
        raise


def _join(names: list[str]) -> str:
    return "/" + "/".join(names)


def resolve(root_fd: int, path: str, follow_last: bool = False,
            mounts: Mapping[str, str] | None = None) -> Resolved:
    """Walk ``path`` from ``root_fd``. Symlinks on the way are followed inside the root; the
    last component is followed only with ``follow_last``. Raises ``PathNotFound``.

    ``mounts`` maps container paths to the host sources mounted there, for a root that does
    not show them (a stopped container's): the walk steps into the source instead, as the
    container would see it, and goes on resolving inside it with the same rules."""
    stack = [os.dup(root_fd)]
    names: list[str] = []
    todo = _parts(path)
    links = 0
    mounts = mounts or {}
    try:
        while todo:
            comp = todo.pop(0)
            if comp == "..":
                if len(stack) > 1:
                    os.close(stack.pop())
                    names.pop()
                continue
            last = not todo
            cur = stack[-1]
            here = _join(names + [comp])
            if here in mounts:
                fd, name, st = _open_mount(mounts[here], path)
                if last:
                    return Resolved(fd, name, st, here)
                if name is not None:
                    os.close(fd)
                    raise PathNotFound(path)  # a bound file has nothing below it
                stack.append(fd)
                names.append(comp)
                continue
            try:
                st = os.stat(comp, dir_fd=cur, follow_symlinks=False)
            except FileNotFoundError:
                if last:
                    return Resolved(os.dup(cur), comp, None, here)
                raise PathNotFound(path) from None
            if stat.S_ISLNK(st.st_mode) and (follow_last or not last):
                links += 1
                if links > MAX_LINKS:
                    raise OSError(errno.ELOOP, "too many levels of symbolic links", path)
                target = os.readlink(comp, dir_fd=cur)
                if target.startswith("/"):
                    while len(stack) > 1:
                        os.close(stack.pop())
                    names.clear()
                todo = _parts(target) + todo
                continue
            if last:
                return Resolved(os.dup(cur), comp, st, here)
            if not stat.S_ISDIR(st.st_mode):
                raise PathNotFound(path)
            try:
                stack.append(os.open(comp, DIR_FLAGS, dir_fd=cur))
            except OSError as e:
                if e.errno in (errno.ELOOP, errno.ENOTDIR, errno.ENOENT):
                    raise PathNotFound(path) from None  # it changed under us: not there
                raise
            names.append(comp)
        top = stack[-1]
        return Resolved(os.dup(top), None, os.fstat(top), _join(names))
    finally:
        for fd in stack:
            os.close(fd)


def _open_mount(source: str, path: str) -> tuple[int, str | None, os.stat_result]:
    try:
        return open_source(source)
    except FileNotFoundError:
        raise PathNotFound(path) from None  # a bind source removed on the host since


def go_file_mode(mode: int) -> int:
    """A ``st_mode`` as Go's ``os.FileMode`` bits, which the docker CLI reads from the stat header."""
    out = mode & 0o777
    kind = stat.S_IFMT(mode)
    out |= {stat.S_IFDIR: 1 << 31, stat.S_IFLNK: 1 << 27, stat.S_IFIFO: 1 << 25, stat.S_IFSOCK: 1 << 24,
            stat.S_IFCHR: (1 << 26) | (1 << 21), stat.S_IFBLK: 1 << 26}.get(kind, 0)
    if mode & stat.S_ISUID:
        out |= 1 << 23
    if mode & stat.S_ISGID:
        out |= 1 << 22
    if mode & stat.S_ISVTX:
        out |= 1 << 20
    return out
