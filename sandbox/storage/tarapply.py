"""Apply a layer tarball to a directory, member by member, without ever leaving it.

A layer comes from the outside (a registry, ``docker load``, a build context), so each
member is checked before anything is written, and every path is walked from an open
descriptor of the target one component at a time with ``O_NOFOLLOW``:

- absolute names and ``..`` components are refused outright;
- a symlink met on the way to a member is followed only *inside* the target: one that is
  absolute or climbs above the target is refused (the classic escape is a layer that
  ships ``evil -> /etc`` and then ``evil/passwd``);
- the final component is never followed: whatever is there is removed and replaced;
- hard links must name a target inside the layer, reached the same way;
- device nodes are refused (a container gets its devices from the runtime, not from an
  image); FIFOs are fine;
- whiteouts (``.wh.NAME``, ``.wh..wh..opq``) are turned into the form the layer driver
  wants: overlay-native ones (a 0/0 character device, the opaque xattr) for the overlay
  driver, or real deletions for the copy driver whose layers are full copies.

Ownership, modes (setuid included), extended attributes and mtimes are preserved when we
are root; without root, files end up owned by us.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Literal

from sandbox.errors import StorageError, UnsafeArchive
from sandbox.storage import whiteouts as wh

if TYPE_CHECKING:
    import tarfile

WhiteoutMode = Literal["overlay", "delete"]
Parts = tuple[str, ...]

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
# O_EXCL|O_NOFOLLOW: the name was just cleared, so if anything (a symlink) appeared there
# since, opening fails instead of writing through it.
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
_MAX_SYMLINK_HOPS = 40
# Extended attributes a layer may carry. trusted.* is refused in particular: a layer must
# not be able to forge overlayfs metadata (opaque dirs, redirects) by shipping the xattr.
_XATTR_PREFIXES = ("user.", "security.")
_PAX_XATTR = "SCHILY.xattr."
_STREAM_BUFSIZE = 64 << 10


@dataclass
class ApplyResult:
    entries: int = 0
    whiteouts: int = 0
    written: set[Parts] = field(default_factory=set, repr=False)


def clean_name(name: str, member: str | None = None, what: str = "name") -> Parts:
    """Split a tar name into components, refusing absolute paths and ``..``."""
    member = member if member is not None else name
    if "\x00" in name:
        raise UnsafeArchive(member, f"NUL byte in the {what}")
    if name.startswith("/"):
        raise UnsafeArchive(member, f"absolute {what} {name!r}")
    parts = tuple(p for p in name.split("/") if p not in ("", "."))
    if ".." in parts:
        raise UnsafeArchive(member, f"'..' in the {what} {name!r}")
    return parts


def _prefixes(parts: Parts) -> list[Parts]:
    return [parts[:i] for i in range(1, len(parts) + 1)]


def _lstat_at(name: str, dir_fd: int) -> os.stat_result | None:
    try:
        return os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except FileNotFoundError:
        return None


def remove_at(name: str, dir_fd: int) -> None:
    """Remove one entry (recursively if a directory) without following symlinks: rmtree's
    descriptor-based walk never leaves the tree even if entries are swapped under it."""
    import shutil

    st = _lstat_at(name, dir_fd)
    if st is None:
        return
    if stat.S_ISDIR(st.st_mode):
        shutil.rmtree(name, dir_fd=dir_fd)
    else:
        os.unlink(name, dir_fd=dir_fd)


class ScopedRoot:
    """An open directory that paths are resolved inside of, as if it were ``/``."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.fd = os.open(self.path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)

    def close(self) -> None:
        os.close(self.fd)

    def open_dir(self, parts: Parts, member: str, create: bool = False,
                 on_create: _MkdirHook | None = None, follow: bool = True) -> int | None:
        """A descriptor of the directory at ``parts``, or None if it is missing and not
        ``create``. Symlinks on the way are followed within the root only; with
        ``follow=False`` a symlink anywhere on the way gives None."""
        todo = list(parts)
        cur: list[str] = []
        hops = 0
        fd = os.dup(self.fd)
        try:
            while todo:
                comp = todo.pop(0)
                try:
                    nfd = os.open(comp, _DIR_FLAGS, dir_fd=fd)
                except FileNotFoundError:
                    if not create:
                        os.close(fd)
                        return None
                    os.mkdir(comp, 0o755, dir_fd=fd)
                    nfd = os.open(comp, _DIR_FLAGS, dir_fd=fd)
                    if on_create is not None:
                        on_create(tuple(cur + [comp]), nfd)
                except OSError as e:
                    if e.errno not in (errno.ELOOP, errno.ENOTDIR):
                        raise
                    where = "/".join(cur + [comp])
                    st = os.stat(comp, dir_fd=fd, follow_symlinks=False)
                    if not stat.S_ISLNK(st.st_mode):
                        raise UnsafeArchive(member, f"{where} is not a directory") from None
                    if not follow:
                        os.close(fd)
                        return None
                    hops += 1
                    if hops > _MAX_SYMLINK_HOPS:
                        raise UnsafeArchive(member, "too many levels of symbolic links") from None
                    target = os.readlink(comp, dir_fd=fd)
                    cur = self._follow(cur, target, where, member)
                    todo = cur + todo
                    cur = []
                    os.close(fd)
                    fd = os.dup(self.fd)
                    continue
                os.close(fd)
                fd = nfd
                cur.append(comp)
            return fd
        except BaseException:
            os.close(fd)
            raise

    @staticmethod
    def _follow(cur: list[str], target: str, where: str, member: str) -> list[str]:
        if target.startswith("/"):
            raise UnsafeArchive(member, f"goes through symlink {where} -> {target}, "
                                        "which points outside the layer")
        new = list(cur)
        for t in target.split("/"):
            if t in ("", "."):
                continue
            if t == "..":
                if not new:
                    raise UnsafeArchive(member, f"goes through symlink {where} -> {target}, "
                                                "which climbs out of the layer")
                new.pop()
            else:
                new.append(t)
        return new


class _MkdirHook:
    """Gives a directory we had to create (a parent missing from the tar) the owner and mode
    of the same directory in the layers below, so it does not change them in the merged view."""

    def __init__(self, lowers: Sequence[Path], same_owner: bool) -> None:
        self.lowers = lowers
        self.same_owner = same_owner

    def __call__(self, parts: Parts, fd: int) -> None:
        from sandbox.storage.lookup import overlay_lookup

        found = overlay_lookup(self.lowers, parts) if self.lowers else None
        if found is None:
            return
        st = found.lstat()
        if not stat.S_ISDIR(st.st_mode):
            return
        if self.same_owner:
            os.fchown(fd, st.st_uid, st.st_gid)
        os.fchmod(fd, stat.S_IMODE(st.st_mode))


class _Applier:
    def __init__(self, target: Path, mode: WhiteoutMode, lowers: Sequence[Path], same_owner: bool) -> None:
        self.root = ScopedRoot(target)
        self.mode = mode
        self.lowers = list(lowers)
        self.same_owner = same_owner
        self.result = ApplyResult()
        self._dirs: list[tuple[Parts, int, int]] = []
        self._mkdir_hook = _MkdirHook(self.lowers, same_owner) if mode == "overlay" else None

    def close(self) -> None:
        self.root.close()

    # -- one member -------------------------------------------------------------------------

    def apply(self, m: tarfile.TarInfo, tf: tarfile.TarFile) -> None:
        try:
            self._apply(m, tf)
        except OSError as e:
            name = errno.errorcode.get(e.errno or 0, str(e.errno))
            hint = None
            if e.errno == errno.EPERM:
                hint = ("owners, devices and overlay whiteouts need root; "
                        "without root use the copy driver")
            raise StorageError(f"cannot apply tar member {m.name!r}: {e.strerror} ({name})", hint) from e

    def _apply(self, m: tarfile.TarInfo, tf: tarfile.TarFile) -> None:
        parts = clean_name(m.name)
        if not parts:
            return  # the archive's own "./": the target's attributes are not the layer's to set
        self.result.entries += 1
        parent, base = parts[:-1], parts[-1]
        if base.startswith(wh.WH_PREFIX):
            self._whiteout(m, parent, base)
            return
        if m.ischr() or m.isblk():
            raise UnsafeArchive(m.name, "device nodes are not allowed in a layer")
        if not (m.isdir() or m.isreg() or m.issym() or m.islnk() or m.isfifo()):
            raise UnsafeArchive(m.name, f"unsupported member type {m.type!r}")
        # A hard link's target is checked before anything of this member is written.
        link_src = self._link_source(m) if m.islnk() else None
        try:
            pfd = self.root.open_dir(parent, m.name, create=True, on_create=self._mkdir_hook)
            assert pfd is not None
            try:
                if link_src is not None:
                    self._hardlink(m, link_src, pfd, base)
                else:
                    self._create(m, tf, pfd, base, parts)
            finally:
                os.close(pfd)
        finally:
            if link_src is not None:
                os.close(link_src[0])
        self.result.written.update(_prefixes(parts))

    def _create(self, m: tarfile.TarInfo, tf: tarfile.TarFile, pfd: int, base: str, parts: Parts) -> None:
        existing = _lstat_at(base, pfd)
        if existing is not None and not (m.isdir() and stat.S_ISDIR(existing.st_mode)):
            remove_at(base, pfd)
        mode = m.mode & 0o7777
        if m.isdir():
            if existing is None or not stat.S_ISDIR(existing.st_mode):
                # Owner-only until the end: the real mode (maybe read-only) and the mtime are
                # set after the children, since adding a child changes a directory's mtime.
                os.mkdir(base, 0o700, dir_fd=pfd)
            fd = os.open(base, _DIR_FLAGS, dir_fd=pfd)
            try:
                self._own(fd, m)
                self._xattrs(fd, m)
            finally:
                os.close(fd)
            self._dirs.append((parts, mode, int(m.mtime)))
        elif m.isreg():
            src = tf.extractfile(m)
            fd = os.open(base, _NEW_FILE, 0o600, dir_fd=pfd)
            try:
                if src is not None:
                    while chunk := src.read(1 << 20):
                        view = memoryview(chunk)
                        while view:
                            view = view[os.write(fd, view):]
                self._own(fd, m)
                # chown clears setuid/setgid, so the mode comes after it.
                os.fchmod(fd, mode)
                self._xattrs(fd, m)
                os.utime(fd, ns=(int(m.mtime) * 10**9, int(m.mtime) * 10**9))
            finally:
                os.close(fd)
        elif m.issym():
            os.symlink(m.linkname, base, dir_fd=pfd)
            if self.same_owner:
                os.chown(base, m.uid, m.gid, dir_fd=pfd, follow_symlinks=False)
            os.utime(base, ns=(int(m.mtime) * 10**9,) * 2, dir_fd=pfd, follow_symlinks=False)
        elif m.isfifo():
            os.mkfifo(base, 0o600, dir_fd=pfd)
            if self.same_owner:
                os.chown(base, m.uid, m.gid, dir_fd=pfd, follow_symlinks=False)
            # A FIFO we just made in a directory only we write to: chmod cannot be redirected.
            os.chmod(base, mode, dir_fd=pfd)
            os.utime(base, ns=(int(m.mtime) * 10**9,) * 2, dir_fd=pfd, follow_symlinks=False)

    def _own(self, fd: int, m: tarfile.TarInfo) -> None:
        if self.same_owner:
            os.fchown(fd, m.uid, m.gid)

    def _xattrs(self, fd: int, m: tarfile.TarInfo) -> None:
        for key, value in m.pax_headers.items():
            if not key.startswith(_PAX_XATTR):
                continue
            name = key[len(_PAX_XATTR):]
            if not name.startswith(_XATTR_PREFIXES):
                continue
            raw = value.encode("utf-8", "surrogateescape") if isinstance(value, str) else value
            try:
                os.setxattr(fd, name, raw)
            except OSError as e:
                # A file system without xattrs, or security.* without root: the file is
                # still usable, like Docker we carry on without the attribute.
                if e.errno in (errno.ENOTSUP, errno.EOPNOTSUPP):
                    continue
                if e.errno == errno.EPERM and not self.same_owner:
                    continue
                raise

    # -- hard links -------------------------------------------------------------------------

    def _link_source(self, m: tarfile.TarInfo) -> tuple[int, str]:
        """(descriptor of the target's directory, target's name), checked before anything
        of this member is written."""
        parts = clean_name(m.linkname, m.name, what="hard link target")
        if not parts:
            raise UnsafeArchive(m.name, "hard link to the layer root")
        fd = self.root.open_dir(parts[:-1], m.name, create=False)
        st = _lstat_at(parts[-1], fd) if fd is not None else None
        if st is None and self.mode == "overlay" and self.lowers:
            # The target lives in a lower layer: an overlay diff only holds this layer's
            # files, so bring a copy up first (a hard link cannot cross layers).
            if fd is not None:
                os.close(fd)
            fd = self._copy_up(parts, m.name)
            st = _lstat_at(parts[-1], fd)
        if st is None:
            if fd is not None:
                os.close(fd)
            raise UnsafeArchive(m.name, f"hard link target {m.linkname!r} is not in the layer")
        if stat.S_ISDIR(st.st_mode):
            os.close(fd)  # type: ignore[arg-type]
            raise UnsafeArchive(m.name, f"hard link target {m.linkname!r} is a directory")
        assert fd is not None
        return fd, parts[-1]

    def _copy_up(self, parts: Parts, member: str) -> int:
        import shutil

        from sandbox.storage.lookup import overlay_lookup

        found = overlay_lookup(self.lowers, parts)
        fd = self.root.open_dir(parts[:-1], member, create=True, on_create=self._mkdir_hook)
        assert fd is not None
        if found is None:
            return fd
        try:
            st = found.lstat()
            if stat.S_ISREG(st.st_mode):
                out = os.open(parts[-1], _NEW_FILE, 0o600, dir_fd=fd)
                try:
                    with open(found, "rb") as src, os.fdopen(os.dup(out), "wb") as dst:
                        shutil.copyfileobj(src, dst)
                    if self.same_owner:
                        os.fchown(out, st.st_uid, st.st_gid)
                    os.fchmod(out, stat.S_IMODE(st.st_mode))
                    os.utime(out, ns=(st.st_atime_ns, st.st_mtime_ns))
                finally:
                    os.close(out)
            elif stat.S_ISLNK(st.st_mode):
                os.symlink(os.readlink(found), parts[-1], dir_fd=fd)
        except BaseException:
            os.close(fd)
            raise
        return fd

    def _hardlink(self, m: tarfile.TarInfo, src: tuple[int, str], pfd: int, base: str) -> None:
        src_fd, src_name = src
        existing = _lstat_at(base, pfd)
        if existing is not None:
            target = os.stat(src_name, dir_fd=src_fd, follow_symlinks=False)
            if (existing.st_dev, existing.st_ino) == (target.st_dev, target.st_ino):
                return
            remove_at(base, pfd)
        os.link(src_name, base, src_dir_fd=src_fd, dst_dir_fd=pfd, follow_symlinks=False)

    # -- whiteouts --------------------------------------------------------------------------

    def _whiteout(self, m: tarfile.TarInfo, parent: Parts, base: str) -> None:
        self.result.whiteouts += 1
        if base == wh.WH_OPAQUE:
            if self.mode == "overlay":
                fd = self.root.open_dir(parent, m.name, create=True, on_create=self._mkdir_hook)
                assert fd is not None
                try:
                    wh.set_opaque(fd)
                finally:
                    os.close(fd)
            else:
                fd = self.root.open_dir(parent, m.name, create=False)
                if fd is not None:
                    try:
                        self._drop_lower(fd, parent)
                    finally:
                        os.close(fd)
            self.result.written.update(_prefixes(parent))
            return
        if base.startswith(wh.WH_META_PREFIX):
            return  # other .wh..wh. names are aufs bookkeeping with no meaning here
        name = base[len(wh.WH_PREFIX):]
        if name in ("", ".", ".."):
            raise UnsafeArchive(m.name, "whiteout aimed outside its directory")
        create = self.mode == "overlay"
        fd = self.root.open_dir(parent, m.name, create=create,
                                on_create=self._mkdir_hook if create else None)
        if fd is None:
            return  # deleting from a directory that does not exist: nothing to do
        try:
            remove_at(name, fd)
            if self.mode == "overlay":
                wh.make_overlay_whiteout(name, fd)
        finally:
            os.close(fd)

    def _drop_lower(self, fd: int, parts: Parts) -> None:
        """An opaque directory in a full copy: remove everything this layer did not write."""
        for name in os.listdir(fd):
            child = parts + (name,)
            if child not in self.result.written:
                remove_at(name, fd)
                continue
            st = _lstat_at(name, fd)
            if st is not None and stat.S_ISDIR(st.st_mode):
                cfd = os.open(name, _DIR_FLAGS, dir_fd=fd)
                try:
                    self._drop_lower(cfd, child)
                finally:
                    os.close(cfd)

    # -- the end ----------------------------------------------------------------------------

    def finish(self) -> None:
        for parts, mode, mtime in sorted(self._dirs, key=lambda d: len(d[0]), reverse=True):
            # A later member may have replaced the directory (or a parent) with a symlink
            # or a file: then these attributes belong to nothing any more.
            try:
                fd = self.root.open_dir(parts, "/".join(parts), create=False, follow=False)
            except UnsafeArchive:
                continue  # no longer a directory at all
            if fd is None:
                continue
            try:
                os.fchmod(fd, mode)
                os.utime(fd, ns=(mtime * 10**9, mtime * 10**9))
            finally:
                os.close(fd)


class _LenientEnd:
    """Supplies the padding and end-of-archive blocks a tar stream may lack.

    Some writers (umoci's ``insert``, for one) stop right after the last member's data,
    with neither its padding to 512 bytes nor the two zero blocks; Go's reader, which the
    rest of the ecosystem uses, accepts that. Zeros are added only after the real end, and
    ``apply_tar`` checks that every member's data came from real bytes, so a stream cut
    inside a member is still an error."""

    _TAIL = 512 + 1024

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self.real = 0
        self._padded = 0
        self._eof = False

    def read(self, n: int = -1) -> bytes:
        if not self._eof:
            data = self._raw.read(n)
            if data or n == 0:
                self.real += len(data)
                return data
            self._eof = True
        want = self._TAIL - self._padded if n < 0 else min(n, self._TAIL - self._padded)
        self._padded += want
        return b"\0" * want


def apply_tar(stream: BinaryIO, target: Path, whiteouts: WhiteoutMode = "delete",
              lowers: Sequence[Path] = (), same_owner: bool | None = None) -> ApplyResult:
    """Apply the uncompressed tar ``stream`` onto the existing directory ``target``.

    ``lowers`` (top first) are the layers below, for the overlay driver: where parents
    missing from the tar take their attributes from, and hard-link targets come from."""
    import tarfile

    if same_owner is None:
        same_owner = os.geteuid() == 0
    applier = _Applier(Path(target), whiteouts, lowers, same_owner)
    lenient = _LenientEnd(stream)
    data_end = 0
    try:
        try:
            # 64 KiB reads instead of tarfile's 10 KiB: fewer trips through the decompressor
            # and hashers. Not more: the stream slices its buffer on each header read.
            with tarfile.open(fileobj=lenient, mode="r|", bufsize=_STREAM_BUFSIZE) as tf:  # type: ignore[call-overload]
                for member in tf:
                    applier.apply(member, tf)
                    data_end = max(data_end, member.offset_data + (member.size if member.isreg() else 0))
                    if data_end > lenient.real:
                        raise StorageError(f"the layer tar is cut short inside {member.name!r}")
        except tarfile.TarError as e:
            raise StorageError(f"the layer is not a valid tar archive: {e}",
                               "layers must be tar files, optionally gzip-compressed") from e
        applier.finish()
    finally:
        applier.close()
    return applier.result
