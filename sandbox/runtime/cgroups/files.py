"""The one door to cgroupfs: every read, write, mkdir and rmdir of a cgroup goes through here.

Backends never open a cgroup file themselves. That keeps three things in one place: the
trace record each change emits, the translation of errno into a ``CgroupFileError`` with a
hint, and the seam tests use — a subclass pointed at a temp directory can act like the
kernel (populate a new cgroup's files, report "frozen" after a freeze).
"""

from __future__ import annotations

import errno
import os

from sandbox.errors import CgroupFileError
from sandbox.linux.trace import NULL_TRACER, Tracer

_DEFAULT_HINTS = {
    errno.EACCES: "cgroups can only be changed by root: run with sudo",
    errno.EPERM: "cgroups can only be changed by root: run with sudo",
    errno.EROFS: "cgroupfs is mounted read-only here (inside a container?)",
}


class CgroupFiles:
    """Reads and writes cgroup files by (directory, file name); directories are plain strings.

    Plain ``os`` calls on ``str`` paths: a container start does a few dozen of these, and
    pathlib's object churn would cost more than the syscalls themselves.
    """

    __slots__ = ("tracer",)

    def __init__(self, tracer: Tracer = NULL_TRACER) -> None:
        self.tracer = tracer

    def write_file(self, dir: str, name: str, value: str) -> None:
        path = f"{dir}/{name}"
        try:
            self._write(path, value.encode())
        except OSError as e:
            err = e.errno or errno.EIO
            self.tracer.emit("cgroup.write", error=errno.errorcode.get(err, str(err)),
                             path=dir, file=name, value=value)
            raise CgroupFileError("write", path, err, value, _DEFAULT_HINTS.get(err)) from None
        self.tracer.emit("cgroup.write", path=dir, file=name, value=value)

    def read_file(self, dir: str, name: str) -> str:
        """The file's content without the trailing newline."""
        path = f"{dir}/{name}"
        try:
            data = self._read(path)
        except OSError as e:
            err = e.errno or errno.EIO
            raise CgroupFileError("read", path, err, None, _DEFAULT_HINTS.get(err)) from None
        return data.decode().rstrip("\n")

    def exists(self, dir: str, name: str = "") -> bool:
        return os.path.exists(f"{dir}/{name}" if name else dir)

    def mkdir(self, dir: str) -> bool:
        """Make one cgroup; False if it was already there."""
        try:
            self._mkdir(dir)
        except FileExistsError:
            return False
        except OSError as e:
            err = e.errno or errno.EIO
            self.tracer.emit("cgroup.mkdir", error=errno.errorcode.get(err, str(err)), path=dir)
            raise CgroupFileError("mkdir", dir, err, None, _DEFAULT_HINTS.get(err)) from None
        self.tracer.emit("cgroup.mkdir", path=dir)
        return True

    def rmdir(self, dir: str) -> bool:
        """Remove one cgroup (its files go with it); False if it was not there."""
        try:
            self._rmdir(dir)
        except FileNotFoundError:
            return False
        except OSError as e:
            err = e.errno or errno.EIO
            self.tracer.emit("cgroup.rmdir", error=errno.errorcode.get(err, str(err)), path=dir)
            raise CgroupFileError("rmdir", dir, err, None, _DEFAULT_HINTS.get(err)) from None
        self.tracer.emit("cgroup.rmdir", path=dir)
        return True

    def has_subdirs(self, dir: str) -> bool:
        """Whether ``dir`` has child cgroups, from one stat: a directory's link count is 2
        plus its subdirectories (kernfs keeps it so too), so no listing is needed."""
        try:
            return os.stat(dir).st_nlink > 2
        except FileNotFoundError:
            return False

    def subdirs(self, dir: str) -> list[str]:
        """Child cgroups of ``dir`` (none if it does not exist)."""
        try:
            with os.scandir(dir) as it:
                return [e.path for e in it if e.is_dir(follow_symlinks=False)]
        except FileNotFoundError:
            return []
        except OSError as e:
            err = e.errno or errno.EIO
            raise CgroupFileError("list", dir, err, None, _DEFAULT_HINTS.get(err)) from None

    # -- the raw syscalls: a test double overrides these to act like the kernel ------------

    def _write(self, path: str, data: bytes) -> None:
        # No O_CREAT: every file of a cgroup exists from its mkdir on; a missing one means
        # the controller is not enabled, which must surface as ENOENT. O_TRUNC is what runc
        # does too: cgroupfs ignores it.
        fd = os.open(path, os.O_WRONLY | os.O_TRUNC | os.O_CLOEXEC)
        try:
            # One write(2): the kernel parses each write as one whole value.
            os.write(fd, data)
        finally:
            os.close(fd)

    def _read(self, path: str) -> bytes:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        try:
            chunks = []
            while chunk := os.read(fd, 65536):
                chunks.append(chunk)
        finally:
            os.close(fd)
        return b"".join(chunks)

    def _mkdir(self, path: str) -> None:
        os.mkdir(path, 0o755)

    def _rmdir(self, path: str) -> None:
        # The kernel removes a cgroup's files with it; only child cgroups or processes keep
        # it (EBUSY).
        os.rmdir(path)
