"""Ask ext2/3/4 to place each new layer directory in a block group of its own (chattr +T).

ext4 gives a new file an inode in its directory's block group, scanning that group's inode
bitmap from the start. On a file system without a journal it passes over every inode
freed in the last 60 seconds (300 while the inode table block is not yet written back),
looking each one up in the inode table: reusing one that early could mix old and new
metadata after a crash. In a group where much was just deleted (the store after a
``docker rmi``, a temporary directory that other programs churn) every file of a layer
then costs up to a millisecond of kernel time: busybox's 291 entries took 150 to 500 ms
to apply instead of about 35.

The "top of directory hierarchies" flag on ``layers/`` makes the Orlov allocator treat each
new directory in it as an unrelated tree and put it in a little-used block group, as it
does for directories in ``/``. Other file systems do not know the flag and refuse it; it
is only a placement hint, so nothing depends on it.
"""

from __future__ import annotations

import fcntl
import os
import struct
from collections.abc import Callable
from pathlib import Path

# <linux/fs.h>: _IOR('f', 1, long) and _IOW('f', 2, long) on 64-bit; the kernel reads and
# writes an int through the pointer.
FS_IOC_GETFLAGS = 0x80086601
FS_IOC_SETFLAGS = 0x40086602
FS_TOPDIR_FL = 0x00020000


def spread_subdirectories(directory: Path) -> bool:
    """Set the flag on ``directory`` unless it is set; False where the file system (or our
    access to the directory) does not allow it."""

    def set_flag(fd: int) -> bool:
        flags = _flags(fd)
        if not flags & FS_TOPDIR_FL:
            fcntl.ioctl(fd, FS_IOC_SETFLAGS, struct.pack("=iI", flags | FS_TOPDIR_FL, 0))
        return True

    return _on_directory(directory, set_flag)


def has_spread_flag(directory: Path) -> bool:
    """Is the flag set (False where the file system has no such flags)?"""
    return _on_directory(directory, lambda fd: bool(_flags(fd) & FS_TOPDIR_FL))


def _flags(fd: int) -> int:
    return struct.unpack_from("=i", fcntl.ioctl(fd, FS_IOC_GETFLAGS, bytes(8)))[0]


def _on_directory(directory: Path, act: Callable[[int], bool]) -> bool:
    """``act`` on the open directory; False when it cannot be opened or the ioctl is refused:
    ENOTTY, EOPNOTSUPP or EINVAL (xfs, btrfs, tmpfs, overlayfs), EPERM (not our directory)."""
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        return act(fd)
    except OSError:
        return False
    finally:
        os.close(fd)
