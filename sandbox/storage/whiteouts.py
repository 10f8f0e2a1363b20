"""The two ways a layer says "this lower file is gone".

In a layer tarball (OCI): an empty file ``.wh.NAME`` deletes NAME from the layers below, and
``DIR/.wh..wh..opq`` makes DIR opaque (nothing below shows through it).

In an overlayfs upper or lower directory (the kernel's form): a character device 0/0 named
NAME hides NAME below, and a directory with the xattr ``trusted.overlay.opaque=y`` hides
everything below it. The kernel only reads the ``trusted.`` namespace from a mount made by
a process with CAP_SYS_ADMIN, which is why applying these needs root.
"""

from __future__ import annotations

import errno
import os
import stat

WH_PREFIX = ".wh."
WH_META_PREFIX = ".wh..wh."
WH_OPAQUE = ".wh..wh..opq"
OPAQUE_XATTR = "trusted.overlay.opaque"


def is_overlay_whiteout(st: os.stat_result) -> bool:
    return stat.S_ISCHR(st.st_mode) and st.st_rdev == 0


def make_overlay_whiteout(name: str, dir_fd: int) -> None:
    os.mknod(name, stat.S_IFCHR | 0o000, os.makedev(0, 0), dir_fd=dir_fd)


def is_opaque(path: str | int) -> bool:
    """``path`` may be an open directory descriptor."""
    try:
        if isinstance(path, int):
            return os.getxattr(path, OPAQUE_XATTR) == b"y"
        return os.getxattr(path, OPAQUE_XATTR, follow_symlinks=False) == b"y"
    except OSError as e:
        if e.errno in (errno.ENODATA, errno.ENOTSUP, errno.EPERM, errno.ENOENT):
            return False
        raise


def set_opaque(fd: int) -> None:
    os.setxattr(fd, OPAQUE_XATTR, b"y")
