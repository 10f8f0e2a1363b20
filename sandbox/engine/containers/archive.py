"""``docker cp`` and ``docker export``: a container's files as tar, and tar into it.

A running container's files are reached through ``/proc/<pid>/root`` (its own mount
namespace: what its processes see); a stopped one's through its merged root, mounted on
the host for the moment (overlay) or its directory (copy driver). Paths are resolved inside
that root only (see ``fspath``). The container's lock is held throughout, so it cannot start
or stop underneath; the tar is written to a temporary file the route then streams.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from sandbox.engine.containers.fspath import DIR_FLAGS, PathNotFound, go_file_mode, resolve
from sandbox.engine.containers.registry import Container
from sandbox.engine.containers.tarwalk import TreeWriter
from sandbox.engine.containers.timefmt import rfc3339nano
from sandbox.errors import (
    ContainerConflict,
    ContainerLayerUnknown,
    InvalidParameter,
    NoSuchContainer,
    StorageError,
)

if TYPE_CHECKING:
    from sandbox.engine.containers.context import Engine

_SPOOL = 8 << 20
"""Tars up to this size stay in memory; bigger ones go to a temporary file."""


class PathMissing(NoSuchContainer):
    """``docker cp`` of a path the container does not have: 404 with dockerd's words."""

    def __init__(self, path: str, container: str) -> None:
        super().__init__(container)
        self.message = f"Could not find the file {path} in container {container}"
        self.args = (self.message,)


@contextlib.contextmanager
def container_root(eng: Engine, c: Container) -> Iterator[int]:
    """A descriptor of the container's root directory, valid inside the ``with``. Holds the lock."""
    with c.lock:
        if c.removed or c.rec.state.removing:
            raise ContainerConflict(c.id, f"container {c.id} is being removed")
        if c.rec.state.live:
            fd = os.open(f"/proc/{c.rec.state.pid}/root", DIR_FLAGS & ~os.O_NOFOLLOW)
            try:
                yield fd
            finally:
                os.close(fd)
            return
        try:
            layout = eng.store.container_rootfs(c.id)
        except ContainerLayerUnknown as e:
            raise ContainerConflict(c.id, f"container {c.id} has no file system") from e
        mounted = layout.kind == "overlay"
        path = eng.store.mount_container(c.id)
        try:
            fd = os.open(path, DIR_FLAGS)
            try:
                yield fd
            finally:
                os.close(fd)
        finally:
            if mounted:
                eng.store.unmount_container(c.id)


def _spool() -> BinaryIO:
    return tempfile.SpooledTemporaryFile(max_size=_SPOOL)  # type: ignore[return-value]


def export(eng: Engine, c: Container) -> BinaryIO:
    out = _spool()
    with container_root(eng, c) as root:
        writer = TreeWriter(out, os.fstat(root).st_dev)
        writer.children(root)
        writer.close()
    out.seek(0)
    return out


def _stat(path: str, r: Any) -> dict[str, Any]:
    st = r.st
    name = r.name if r.name is not None else "/"
    link = os.readlink(r.name, dir_fd=r.parent_fd) if r.name and (st.st_mode & 0o170000) == 0o120000 else ""
    return {"name": name, "size": st.st_size, "mode": go_file_mode(st.st_mode),
            "mtime": rfc3339nano(st.st_mtime, zero_is_never=False),
            "linkTarget": link}


def _resolve(root: int, path: str, c: Container) -> Any:
    try:
        r = resolve(root, path)
    except PathNotFound:
        raise PathMissing(path, c.rec.name.lstrip("/")) from None
    if r.st is None:
        r.close()
        raise PathMissing(path, c.rec.name.lstrip("/"))
    return r


def stat_path(eng: Engine, c: Container, path: str) -> dict[str, Any]:
    with container_root(eng, c) as root:
        r = _resolve(root, path, c)
        try:
            return _stat(path, r)
        finally:
            r.close()


def get(eng: Engine, c: Container, path: str) -> tuple[dict[str, Any], BinaryIO]:
    """(the stat of ``path``, a tar of it named by its base name). A path ending in ``/.``
    gives the directory's contents, as ``docker cp c:/dir/. dest`` wants."""
    out = _spool()
    with container_root(eng, c) as root:
        r = _resolve(root, path, c)
        try:
            info = _stat(path, r)
            writer = TreeWriter(out, os.fstat(root).st_dev)
            if path.rstrip("/").endswith("/.") or path in (".", "/."):
                fd = r.open_dir()
                try:
                    writer.children(fd, ".")
                finally:
                    os.close(fd)
            elif r.name is None:
                writer.add(r.parent_fd, None, ".", r.st)
            else:
                writer.add(r.parent_fd, r.name, r.name, r.st)
            writer.close()
        finally:
            r.close()
    out.seek(0)
    return info, out


def put(eng: Engine, c: Container, path: str, tar: BinaryIO | bytes, no_overwrite_dir_non_dir: bool) -> None:
    """Unpack ``tar`` into the directory ``path`` of the container. Members may not escape it
    (absolute names, ``..``, links out) and device nodes are refused. What is in the way is
    replaced (``no_overwrite_dir_non_dir`` is accepted but not enforced yet)."""
    import io

    from sandbox.storage import apply_tar

    stream = io.BytesIO(tar) if isinstance(tar, (bytes, bytearray)) else tar
    with container_root(eng, c) as root:
        try:
            r = resolve(root, path, follow_last=True)
        except PathNotFound:
            raise PathMissing(path, c.rec.name.lstrip("/")) from None
        try:
            if r.st is None:
                raise PathMissing(path, c.rec.name.lstrip("/"))
            if (r.st.st_mode & 0o170000) != 0o040000:
                raise InvalidParameter(f"extraction point is not a directory: {path}", "path",
                                       "copy into a directory of the container")
            fd = r.open_dir()
        finally:
            r.close()
        try:
            # The descriptor's /proc/self/fd link names exactly that directory: nothing on
            # the way can be swapped for a symlink any more.
            apply_tar(stream, _fd_path(fd), whiteouts="delete")
        except StorageError as e:
            raise InvalidParameter(f"cannot extract the archive into {path}: {e.message}", "body",
                                   e.hint) from e
        finally:
            os.close(fd)


def _fd_path(fd: int) -> Path:
    return Path(f"/proc/self/fd/{fd}")
