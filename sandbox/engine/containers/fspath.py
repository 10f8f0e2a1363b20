"""Paths inside a container's root, resolved the way the container sees them and never
outside it: a symlink to ``/etc`` means the container's ``/etc``, ``..`` stops at its root.

Every step opens the next directory from the previous one's descriptor with
``O_NOFOLLOW``, so a container that swaps a directory for a symlink while we walk cannot
send us to the host's files (the race a string-built path would lose).
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass

MAX_LINKS = 40
DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


class PathNotFound(Exception):
    """The path (or a directory on the way) does not exist inside the root."""


@dataclass(eq=False)
class Resolved:
    parent_fd: int
    """The directory holding the final component (the root itself for ``/``)."""
    name: str | None
    """The final component; None when the path is the root."""
    st: os.stat_result | None
    """lstat of the final component; None if it does not exist."""

    def close(self) -> None:
        os.close(self.parent_fd)

    def open_dir(self) -> int:
        """A new descriptor of the resolved directory."""
        if self.name is None:
            return os.dup(self.parent_fd)
        return os.open(self.name, DIR_FLAGS, dir_fd=self.parent_fd)


def _parts(path: str) -> list[str]:
    return [p for p in path.split("/") if p not in ("", ".")]


def resolve(root_fd: int, path: str, follow_last: bool = False) -> Resolved:
    """Walk ``path`` from ``root_fd``. Symlinks on the way are followed inside the root; the
    last component is followed only with ``follow_last``. Raises ``PathNotFound``."""
    stack = [os.dup(root_fd)]
    todo = _parts(path)
    links = 0
    try:
        while todo:
            comp = todo.pop(0)
            if comp == "..":
                if len(stack) > 1:
                    os.close(stack.pop())
                continue
            last = not todo
            cur = stack[-1]
            try:
                st = os.stat(comp, dir_fd=cur, follow_symlinks=False)
            except FileNotFoundError:
                if last:
                    return Resolved(os.dup(cur), comp, None)
                raise PathNotFound(path) from None
            if stat.S_ISLNK(st.st_mode) and (follow_last or not last):
                links += 1
                if links > MAX_LINKS:
                    raise OSError(errno.ELOOP, "too many levels of symbolic links", path)
                target = os.readlink(comp, dir_fd=cur)
                if target.startswith("/"):
                    while len(stack) > 1:
                        os.close(stack.pop())
                todo = _parts(target) + todo
                continue
            if last:
                return Resolved(os.dup(cur), comp, st)
            if not stat.S_ISDIR(st.st_mode):
                raise PathNotFound(path)
            try:
                stack.append(os.open(comp, DIR_FLAGS, dir_fd=cur))
            except OSError as e:
                if e.errno in (errno.ELOOP, errno.ENOTDIR, errno.ENOENT):
                    raise PathNotFound(path) from None  # it changed under us: not there
                raise
        top = stack[-1]
        return Resolved(os.dup(top), None, os.fstat(top))
    finally:
        for fd in stack:
            os.close(fd)


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
