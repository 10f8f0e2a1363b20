"""What the runtime needs to know about a container's root filesystem.

``RootfsLayout`` is the hand-over between the store and the runtime: either an overlay
(read-only image layers below, the container's own upper and work directories on top) or
a plain directory (the copy driver). The runtime mounts it inside the container's mount
namespace; the store can also mount it on the host (``mount_layout``) for tools that look
at a stopped container's files.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from sandbox.errors import StorageError
from sandbox.linux import mountflags as mf

if TYPE_CHECKING:
    from sandbox.linux.syscalls import Syscalls

# mount(2) copies its data argument into a single page; longer option strings fail EINVAL.
_MAX_MOUNT_DATA = 4095
# Options that keep an upper directory a plain tree of files, whiteouts and opaque dirs:
# no inode index, no redirect xattrs for renamed dirs, no metadata-only copy-ups. That is
# the form the diff and export code (and the OCI layer format) understand.
OVERLAY_OPTIONS = ("index=off", "redirect_dir=off", "metacopy=off")


def _escape(path: Path) -> str:
    # The kernel splits overlay options at "," and lowerdir at ":"; a backslash escapes both.
    return str(path).replace("\\", "\\\\").replace(",", "\\,").replace(":", "\\:")


@dataclass
class RootfsLayout:
    kind: Literal["overlay", "dir"]
    lowerdirs: list[Path] = field(default_factory=list)
    """Image layers' directories, top first (the order of overlay's ``lowerdir=``)."""
    upperdir: Path | None = None
    workdir: Path | None = None
    path: Path | None = None
    """For "dir": the root filesystem itself. For "overlay": where to mount it by default."""

    def overlay_data(self, readonly: bool = False, extra: tuple[str, ...] = OVERLAY_OPTIONS) -> str:
        """The ``data`` argument of mount(2) for this overlay."""
        if self.kind != "overlay":
            raise StorageError("a directory rootfs has no overlay options")
        if not self.lowerdirs:
            raise StorageError("an overlay needs at least one lower directory")
        opts = ["lowerdir=" + ":".join(_escape(p) for p in self.lowerdirs)]
        if not readonly:
            if self.upperdir is None or self.workdir is None:
                raise StorageError("a writable overlay needs an upper and a work directory")
            opts += [f"upperdir={_escape(self.upperdir)}", f"workdir={_escape(self.workdir)}"]
        opts += list(extra)
        data = ",".join(opts)
        if len(data) > _MAX_MOUNT_DATA:
            raise StorageError(f"overlay mount options are {len(data)} bytes, more than one page",
                               "the image has too many layers for one overlay mount; squash it")
        return data

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "lowerdirs": [str(p) for p in self.lowerdirs],
                "upperdir": str(self.upperdir) if self.upperdir else None,
                "workdir": str(self.workdir) if self.workdir else None,
                "path": str(self.path) if self.path else None}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> RootfsLayout:
        kind = d.get("kind")
        if kind not in ("overlay", "dir"):
            raise StorageError(f"unknown rootfs kind {kind!r}")
        return cls(kind=kind, lowerdirs=[Path(p) for p in d.get("lowerdirs") or []],
                   upperdir=Path(d["upperdir"]) if d.get("upperdir") else None,
                   workdir=Path(d["workdir"]) if d.get("workdir") else None,
                   path=Path(d["path"]) if d.get("path") else None)


def _syscalls(sys: Syscalls | None) -> Syscalls:
    if sys is not None:
        return sys
    from sandbox.linux.syscalls import LinuxSyscalls

    return LinuxSyscalls()


def mount_layout(layout: RootfsLayout, target: Path, readonly: bool = False,
                 sys: Syscalls | None = None) -> None:
    """Mount ``layout`` at ``target`` (an existing directory)."""
    sys = _syscalls(sys)
    if layout.kind == "overlay":
        flags = mf.MS_RDONLY if readonly else 0
        sys.mount("overlay", str(target), "overlay", flags, layout.overlay_data(readonly=readonly))
        return
    if layout.path is None:
        raise StorageError("a directory rootfs without a path")
    sys.mount(str(layout.path), str(target), None, mf.MS_BIND | mf.MS_REC)
    if readonly:
        # A bind mount ignores MS_RDONLY on the first call; it takes effect on a remount.
        sys.mount(None, str(target), None, mf.MS_BIND | mf.MS_REMOUNT | mf.MS_RDONLY)


def unmount(target: Path, sys: Syscalls | None = None) -> None:
    _syscalls(sys).umount2(str(target), 0)


def is_mountpoint(path: Path) -> bool:
    """``os.path.ismount`` without its ``realpath``, which lstats every component of the
    path: for a directory the kernel resolves ``path/..`` to the same real parent (across
    a mount too), in one call. Anything else (a file, an odd error) takes the long way."""
    try:
        st = os.lstat(path)
        if stat.S_ISLNK(st.st_mode):
            return False
        if stat.S_ISDIR(st.st_mode):
            parent = os.lstat(os.path.join(path, ".."))
            return st.st_dev != parent.st_dev or st.st_ino == parent.st_ino
    except OSError:
        pass
    try:
        return os.path.ismount(path)
    except OSError:
        return False
