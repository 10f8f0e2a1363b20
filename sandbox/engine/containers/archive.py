"""``docker cp`` and ``docker export``: a container's files as tar, and tar into it.

A running container's files are reached through ``/proc/<pid>/root`` (its own mount
namespace: what its processes see); a stopped one's through its merged root, mounted on
the host for the moment (overlay) or its directory (copy driver), with its volumes and binds
reached through their host sources, since nothing mounts them there. Paths are resolved
inside that root only (see ``fspath``). The container's lock is held throughout, so it cannot start
or stop underneath; the tar is written to a temporary file the route then streams.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from sandbox.engine.containers import volumes as cvolumes
from sandbox.engine.containers.fspath import DIR_FLAGS, PathNotFound, Resolved, go_file_mode, resolve
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
    from sandbox.engine.containers.record import Record

_SPOOL = 8 << 20
"""Tars up to this size stay in memory; bigger ones go to a temporary file."""


class PathMissing(NoSuchContainer):
    """``docker cp`` of a path the container does not have: 404 with dockerd's words."""

    def __init__(self, path: str, container: str) -> None:
        super().__init__(container)
        self.message = f"Could not find the file {path} in container {container}"
        self.args = (self.message,)


@dataclass(frozen=True)
class MountPoint:
    destination: str
    source: str | None
    """The host path bound there; None for a tmpfs (nothing on the host to read)."""
    readonly: bool


def mount_points(rec: Record) -> list[MountPoint]:
    """The container's own mounts: its /etc files and its volumes, binds and tmpfs."""
    etc = [MountPoint("/etc/hostname", rec.hostname_path, False), MountPoint("/etc/hosts", rec.hosts_path, False),
           MountPoint("/etc/resolv.conf", rec.resolv_conf_path, False)]
    planned = [MountPoint(os.path.normpath(p.destination), p.source if p.kind != "tmpfs" else None, p.readonly)
               for p in cvolumes.plans_of(rec)]
    return etc + planned


@dataclass(frozen=True)
class Root:
    fd: int
    """The container's root directory."""
    points: tuple[MountPoint, ...]
    live: bool
    """Running: the mounts are in place under ``fd`` (its own mount namespace). Stopped:
    they are not, and paths that meet one are steered to its host source."""

    def resolve_table(self) -> dict[str, str]:
        """For ``fspath.resolve``: where to step into a host source instead."""
        if self.live:
            return {}
        return {m.destination: m.source for m in self.points if m.source is not None}

    def writer_table(self) -> dict[str, str | None]:
        """For ``TreeWriter``: the mounts to cross (None: already under the root)."""
        if self.live:
            return {m.destination: None for m in self.points}
        return {m.destination: m.source for m in self.points if m.source is not None}

    def mount_of(self, path: str) -> MountPoint | None:
        """The innermost mount holding the container path ``path``, if any."""
        best: MountPoint | None = None
        for m in self.points:
            inside = path == m.destination or path.startswith(m.destination.rstrip("/") + "/")
            if inside and (best is None or len(m.destination) > len(best.destination)):
                best = m
        return best


@contextlib.contextmanager
def container_root(eng: Engine, c: Container) -> Iterator[Root]:
    """The container's root directory and mounts, valid inside the ``with``. Holds the lock."""
    with c.lock:
        if c.removed or c.rec.state.removing:
            raise ContainerConflict(c.id, f"container {c.id} is being removed")
        points = tuple(mount_points(c.rec))
        if c.rec.state.live:
            fd = os.open(f"/proc/{c.rec.state.pid}/root", DIR_FLAGS & ~os.O_NOFOLLOW)
            try:
                yield Root(fd, points, True)
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
                yield Root(fd, points, False)
            finally:
                os.close(fd)
        finally:
            if mounted:
                eng.store.unmount_container(c.id)


def _spool() -> BinaryIO:
    return tempfile.SpooledTemporaryFile(max_size=_SPOOL)  # type: ignore[return-value]


def export(eng: Engine, c: Container) -> BinaryIO:
    out = _spool()
    # Only the container's own layers, as dockerd exports: no volumes, no binds.
    with container_root(eng, c) as root:
        writer = TreeWriter(out, os.fstat(root.fd).st_dev)
        writer.children(root.fd)
        writer.close()
    out.seek(0)
    return out


def _stat(path: str, r: Resolved) -> dict[str, Any]:
    st = r.st
    assert st is not None
    name = r.base if r.base is not None else "/"
    link = os.readlink(r.name, dir_fd=r.parent_fd) if r.name and (st.st_mode & 0o170000) == 0o120000 else ""
    return {"name": name, "size": st.st_size, "mode": go_file_mode(st.st_mode),
            "mtime": rfc3339nano(st.st_mtime, zero_is_never=False),
            "linkTarget": link}


def _resolve(root: Root, path: str, c: Container) -> Resolved:
    try:
        r = resolve(root.fd, path, mounts=root.resolve_table())
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
            assert r.st is not None
            # The file system to stay on is the one the path is on: a volume's, for /data.
            writer = TreeWriter(out, r.st.st_dev, root.writer_table())
            if path.rstrip("/").endswith("/.") or path in (".", "/."):
                fd = r.open_dir()
                try:
                    writer.children(fd, ".", r.path)
                finally:
                    os.close(fd)
            else:
                writer.add(r.parent_fd, r.name, r.base or ".", r.st, r.path)
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
            r = resolve(root.fd, path, follow_last=True, mounts=root.resolve_table())
        except PathNotFound:
            raise PathMissing(path, c.rec.name.lstrip("/")) from None
        try:
            if r.st is None:
                raise PathMissing(path, c.rec.name.lstrip("/"))
            if (r.st.st_mode & 0o170000) != 0o040000:
                raise InvalidParameter(f"extraction point is not a directory: {path}", "path",
                                       "copy into a directory of the container")
            _check_writable(root, r.path, c)
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


def _check_writable(root: Root, path: str, c: Container) -> None:
    """dockerd's refusals: a read-only mount, or a read-only root outside any mount. A
    stopped container's mounts are not mounted, so nothing else would stop the write."""
    mount = root.mount_of(path)
    if mount is not None and mount.readonly:
        raise InvalidParameter("mounted volume is marked read-only", "path",
                               f"{mount.destination} is mounted read-only in the container")
    if mount is None and c.rec.host_config.get("ReadonlyRootfs"):
        raise InvalidParameter("container rootfs is marked read-only", "path",
                               "the container runs with --read-only: copy into one of its volumes")


def _fd_path(fd: int) -> Path:
    return Path(f"/proc/self/fd/{fd}")
