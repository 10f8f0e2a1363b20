"""Named and anonymous volumes of the local driver, in Docker's shapes."""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sandbox.errors import InvalidVolume, VolumeInUse, VolumeNotFound

NAME_RE = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_.-]+$")


def _rfc3339(t: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


class VolumeService:
    """``users(name) -> [container ids]`` is asked before a volume is removed."""

    def __init__(self, root: Path, users: Callable[[str], list[str]] | None = None) -> None:
        self.root = Path(root)
        self.users = users or (lambda name: [])
        self._lock = threading.Lock()

    # -- records ---------------------------------------------------------------------------

    def _dir(self, name: str) -> Path:
        return self.root / name

    def _meta(self, name: str) -> dict[str, Any]:
        try:
            return json.loads((self._dir(name) / "meta.json").read_text())
        except FileNotFoundError:
            raise VolumeNotFound(name) from None

    def _write_meta(self, name: str, meta: dict[str, Any]) -> None:
        tmp = self._dir(name) / ".meta.tmp"
        tmp.write_text(json.dumps(meta))
        os.replace(tmp, self._dir(name) / "meta.json")

    def _shape(self, name: str, meta: dict[str, Any]) -> dict[str, Any]:
        # dockerd's field order (its Go struct's); the docker CLI prints them in that order.
        return {"CreatedAt": _rfc3339(meta["created"]), "Driver": "local", "Labels": meta.get("labels") or {},
                "Mountpoint": str(self.mountpoint(name)), "Name": name, "Options": meta.get("options") or {},
                "Scope": "local"}

    def mountpoint(self, name: str) -> Path:
        return self._dir(name) / "_data"

    # -- operations ------------------------------------------------------------------------

    def create(self, name: str | None = None, driver: str = "local", labels: dict[str, str] | None = None,
               options: dict[str, str] | None = None, anonymous: bool = False) -> dict[str, Any]:
        if driver not in ("local", ""):
            raise InvalidVolume(f"create {name}: volume driver {driver!r} is not supported here",
                                "use the local driver")
        if options:
            raise InvalidVolume(f"create {name}: driver options are not supported: {', '.join(sorted(options))}")
        if not name:
            name, anonymous = secrets.token_hex(32), True
        if not NAME_RE.match(name):
            raise InvalidVolume(
                f'create {name}: "{name}" includes invalid characters for a local volume name, only '
                '"[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, '
                "use absolute path")
        with self._lock:
            d = self._dir(name)
            if (d / "meta.json").exists():
                return self._shape(name, self._meta(name))  # docker volume create is idempotent
            (d / "_data").mkdir(parents=True, exist_ok=True, mode=0o755)
            meta = {"created": time.time(), "labels": labels or {}, "options": {}, "anonymous": anonymous,
                    "filled": False}
            self._write_meta(name, meta)
        return self._shape(name, meta)

    def inspect(self, name: str) -> dict[str, Any]:
        return self._shape(name, self._meta(name))

    def exists(self, name: str) -> bool:
        return (self._dir(name) / "meta.json").exists()

    def is_anonymous(self, name: str) -> bool:
        return bool(self._meta(name).get("anonymous"))

    def list(self, filters: dict[str, list[str]] | None = None) -> dict[str, Any]:
        filters = filters or {}
        out = []
        if self.root.is_dir():
            for entry in sorted(os.listdir(self.root)):
                if not (self._dir(entry) / "meta.json").exists():
                    continue
                meta = self._meta(entry)
                if not self._matches(entry, meta, filters):
                    continue
                out.append(self._shape(entry, meta))
        return {"Volumes": out, "Warnings": []}

    def _matches(self, name: str, meta: dict[str, Any], filters: dict[str, list[str]]) -> bool:
        for key, values in filters.items():
            if key == "name" and not any(v in name for v in values):
                return False
            if key == "dangling":
                dangling = not self.users(name)
                if any((v.lower() in ("1", "true")) != dangling for v in values):
                    return False
            if key == "label":
                labels = meta.get("labels") or {}
                for v in values:
                    k, eq, val = v.partition("=")
                    if k not in labels or (eq and labels[k] != val):
                        return False
            if key == "driver" and "local" not in values:
                return False
        return True

    def disk_usage(self) -> list[dict[str, Any]]:
        """``/system/df``'s volumes: each with ``UsageData`` — the bytes of its files and
        how many containers mount it (a count of 0 is what ``docker system df`` reclaims)."""
        out = []
        for vol in self.list()["Volumes"]:
            name = vol["Name"]
            out.append({**vol, "UsageData": {"Size": _du(self.mountpoint(name)), "RefCount": len(self.users(name))}})
        return out

    def remove(self, name: str, force: bool = False) -> None:
        with self._lock:
            self._meta(name)
            users = self.users(name)
            if users:
                raise VolumeInUse(name, users)
            shutil.rmtree(self._dir(name))

    def prune(self, filters: dict[str, list[str]] | None = None) -> dict[str, Any]:
        deleted, reclaimed = [], 0
        for vol in self.list(filters)["Volumes"]:
            name = vol["Name"]
            meta = self._meta(name)
            # Like Docker 23+: prune takes anonymous volumes only, unless all=true.
            if not meta.get("anonymous") and "true" not in (filters or {}).get("all", []):
                continue
            if self.users(name):
                continue
            reclaimed += _du(self.mountpoint(name))
            shutil.rmtree(self._dir(name))
            deleted.append(name)
        return {"VolumesDeleted": deleted, "SpaceReclaimed": reclaimed}

    def fill_once(self, name: str, source: Path | None) -> bool:
        """Docker's copy-up: the first time an EMPTY volume is mounted where the image has
        files, it starts with a copy of them (owners and modes kept). Later mounts never copy."""
        with self._lock:
            meta = self._meta(name)
            if meta.get("filled"):
                return False
            data = self.mountpoint(name)
            copied = False
            if source is not None and source.is_dir() and not any(data.iterdir()):
                shutil.copytree(source, data, symlinks=True, dirs_exist_ok=True)
                st = source.stat()
                os.chown(data, st.st_uid, st.st_gid)
                os.chmod(data, st.st_mode & 0o7777)
                copied = True
            meta["filled"] = True
            self._write_meta(name, meta)
            return copied


def _du(path: Path) -> int:
    total = 0
    for dirpath, _, files in os.walk(path):
        for f in files:
            try:
                total += os.lstat(os.path.join(dirpath, f)).st_size
            except OSError:
                continue
    return total
