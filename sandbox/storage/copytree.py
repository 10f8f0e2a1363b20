"""Copy a directory tree exactly: types, owners, modes, mtimes, xattrs and hard links.

The copy driver's layers and container layers are full copies of their parent, so a copy
must be indistinguishable from the original to ``tree_changes`` (which compares mtimes to
the nanosecond). Symlinks are copied, never followed.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path


def _copy_xattrs(src: str, dst: str, symlink: bool) -> None:
    if symlink:
        return  # user.* xattrs are not allowed on symlinks; nothing of ours lives there
    try:
        names = os.listxattr(src, follow_symlinks=False)
    except OSError:
        return
    for name in names:
        try:
            os.setxattr(dst, name, os.getxattr(src, name, follow_symlinks=False), follow_symlinks=False)
        except OSError as e:
            if e.errno not in (errno.ENOTSUP, errno.EPERM):
                raise


def _copy_file(src: str, dst: str, st: os.stat_result) -> None:
    sfd = os.open(src, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        dfd = os.open(dst, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        try:
            remaining = st.st_size
            while remaining > 0:
                # copy_file_range lets the file system share or copy the blocks in the kernel.
                n = os.copy_file_range(sfd, dfd, min(remaining, 1 << 30))
                if n == 0:
                    break
                remaining -= n
        finally:
            os.close(dfd)
    finally:
        os.close(sfd)


def copy_tree(src: Path, dst: Path, same_owner: bool | None = None) -> None:
    """Copy the contents of ``src`` into the (new or empty) directory ``dst``."""
    if same_owner is None:
        same_owner = os.geteuid() == 0
    links: dict[tuple[int, int], str] = {}
    dirs: list[tuple[str, os.stat_result]] = []

    def meta(sp: str, dp: str, st: os.stat_result) -> None:
        is_link = stat.S_ISLNK(st.st_mode)
        if same_owner:
            os.chown(dp, st.st_uid, st.st_gid, follow_symlinks=False)
        if not is_link:
            # After chown, which clears setuid and setgid.
            os.chmod(dp, stat.S_IMODE(st.st_mode))
        _copy_xattrs(sp, dp, is_link)
        if not stat.S_ISDIR(st.st_mode):
            os.utime(dp, ns=(st.st_atime_ns, st.st_mtime_ns), follow_symlinks=False)

    def walk(s: str, d: str) -> None:
        with os.scandir(s) as it:
            entries = list(it)
        for entry in entries:
            sp, dp = entry.path, os.path.join(d, entry.name)
            st = entry.stat(follow_symlinks=False)
            mode = st.st_mode
            if stat.S_ISDIR(mode):
                os.mkdir(dp, 0o700)
                walk(sp, dp)
                meta(sp, dp, st)
                dirs.append((dp, st))
                continue
            if st.st_nlink > 1:
                key = (st.st_dev, st.st_ino)
                if key in links:
                    os.link(links[key], dp, follow_symlinks=False)
                    continue
                links[key] = dp
            if stat.S_ISREG(mode):
                _copy_file(sp, dp, st)
            elif stat.S_ISLNK(mode):
                os.symlink(os.readlink(sp), dp)
            elif stat.S_ISFIFO(mode):
                os.mkfifo(dp, 0o600)
            elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
                os.mknod(dp, mode, st.st_rdev)
            else:
                continue  # sockets do not survive a copy; a container's own ones are stale
            meta(sp, dp, st)

    Path(dst).mkdir(parents=True, exist_ok=True)
    walk(str(src), str(dst))
    # Directory mtimes last: creating the children moved them.
    for dp, st in dirs:
        os.utime(dp, ns=(st.st_atime_ns, st.st_mtime_ns), follow_symlinks=False)
    root_st = os.lstat(src)
    if same_owner:
        os.chown(dst, root_st.st_uid, root_st.st_gid)
    os.chmod(dst, stat.S_IMODE(root_st.st_mode))
