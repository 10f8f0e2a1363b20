"""Tar in and out for ``docker cp``: build an archive of a local path, and extract one
safely — nothing may land outside the destination, whatever the names or links say."""

from __future__ import annotations

import io
import os
import posixpath
import tarfile
from pathlib import Path

from sandbox.errors import CopyError

__all__ = ["CopyError", "extract", "pack", "rebase"]

def pack(source: Path, name: str, contents_only: bool = False) -> bytes:
    """A tar of ``source`` whose top entry is called ``name`` (or, with ``contents_only``,
    of what is inside the directory ``source``, for ``cp dir/. dest``)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        if contents_only:
            for child in sorted(os.listdir(source)):
                tar.add(str(source / child), arcname=child)
        else:
            tar.add(str(source), arcname=name)
    return buffer.getvalue()


def rebase(data: bytes, old: str, new: str) -> bytes:
    """Rename the top entry ``old`` (and everything below it) to ``new``."""
    if old == new:
        return data
    out = io.BytesIO()
    with tarfile.open(fileobj=io.BytesIO(data)) as src, tarfile.open(fileobj=out, mode="w",
                                                                      format=tarfile.PAX_FORMAT) as dst:
        for member in src.getmembers():
            name = member.name.rstrip("/")
            if name == old or name.startswith(old + "/"):
                member.name = new + name[len(old):]
            if member.islnk() and (member.linkname == old or member.linkname.startswith(old + "/")):
                member.linkname = new + member.linkname[len(old):]
            dst.addfile(member, src.extractfile(member) if member.isreg() else None)
    return out.getvalue()


def _inside(root: Path, path: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


def extract(data: bytes, target: Path, *, keep_owner: bool = False) -> int:
    """Extract into the directory ``target``; returns the bytes of file content written."""
    root = target.resolve()
    written = 0
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        for member in tar.getmembers():
            name = posixpath.normpath(member.name.lstrip("/"))
            if name in (".", "") or name.startswith("../") or name == "..":
                if name in (".", ""):
                    continue
                raise CopyError(f"refusing to extract {member.name!r}: it leaves the destination")
            dest = root / name
            # The parent must resolve inside the root: a symlink from an earlier member must
            # not carry a later one outside (the classic tar-slip through a link).
            parent = dest.parent.resolve()
            if not _inside(root, parent):
                raise CopyError(f"refusing to extract {member.name!r}: it leaves the destination")
            dest = parent / dest.name
            if member.isdir():
                dest.mkdir(parents=True, exist_ok=True)
                os.chmod(dest, member.mode & 0o7777)
            elif member.isreg():
                parent.mkdir(parents=True, exist_ok=True)
                if dest.is_symlink() or (dest.exists() and not dest.is_dir()):
                    dest.unlink()
                source = tar.extractfile(member)
                flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW
                fd = os.open(dest, flags, member.mode & 0o7777)
                with os.fdopen(fd, "wb") as out, source as src:  # type: ignore[union-attr]
                    while chunk := src.read(65536):
                        out.write(chunk)
                        written += len(chunk)
                os.chmod(dest, member.mode & 0o7777)
            elif member.issym():
                if dest.is_symlink() or dest.exists():
                    dest.unlink()
                os.symlink(member.linkname, dest)
                continue
            elif member.islnk():
                link_target = (root / posixpath.normpath(member.linkname.lstrip("/"))).resolve()
                if not _inside(root, link_target):
                    raise CopyError(f"refusing hard link {member.name!r} -> {member.linkname!r}: outside the destination")
                if dest.exists():
                    dest.unlink()
                os.link(link_target, dest)
                continue
            else:
                # Devices and fifos stay in the container: a copy is for files.
                continue
            os.utime(dest, (member.mtime, member.mtime), follow_symlinks=False)
            if keep_owner and os.geteuid() == 0:
                os.lchown(dest, member.uid, member.gid)
    return written
