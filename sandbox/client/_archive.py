"""``X-Docker-Container-Path-Stat``: base64 JSON describing the path of an archive request."""

from __future__ import annotations

import base64
import binascii
import json
import stat as _stat
from dataclasses import dataclass

from sandbox.errors import EngineProtocolError

# Go's os.FileMode keeps the type in high bits, not in the st_mode bits of stat(2).
GO_MODE_DIR = 1 << 31
GO_MODE_SYMLINK = 1 << 27
GO_MODE_PERM = 0o777


@dataclass(frozen=True)
class PathStat:
    name: str
    size: int
    mode: int
    """Go ``os.FileMode`` bits, as dockerd sends them."""
    mtime: str
    link_target: str = ""

    @property
    def is_dir(self) -> bool:
        return bool(self.mode & GO_MODE_DIR)

    @property
    def is_symlink(self) -> bool:
        return bool(self.mode & GO_MODE_SYMLINK)

    @property
    def permissions(self) -> int:
        return self.mode & GO_MODE_PERM

    @property
    def st_mode(self) -> int:
        """The same as a stat(2) mode, for code that thinks in S_ISDIR."""
        kind = _stat.S_IFDIR if self.is_dir else _stat.S_IFLNK if self.is_symlink else _stat.S_IFREG
        return kind | self.permissions


def decode_path_stat(header: str | None, what: str = "archive") -> PathStat | None:
    if not header:
        return None
    try:
        doc = json.loads(base64.b64decode(header, validate=False))
        return PathStat(name=str(doc.get("name", "")), size=int(doc.get("size", 0)), mode=int(doc.get("mode", 0)),
                        mtime=str(doc.get("mtime", "")), link_target=str(doc.get("linkTarget", "")))
    except (binascii.Error, ValueError, TypeError, AttributeError) as err:
        raise EngineProtocolError(what, f"bad X-Docker-Container-Path-Stat header {header[:40]!r}") from err


def encode_path_stat(stat: PathStat) -> str:
    """The header value for a PathStat (what a server sends; used by test doubles)."""
    doc = {"name": stat.name, "size": stat.size, "mode": stat.mode, "mtime": stat.mtime,
           "linkTarget": stat.link_target}
    return base64.b64encode(json.dumps(doc).encode()).decode()
