"""The OCI image configuration (``application/vnd.oci.image.config.v1+json``) as a dataclass.

What a container starts with (Env, Cmd, Entrypoint, WorkingDir, User, ExposedPorts,
Volumes, Labels), how the image was made (history) and which layer diffs make its root
filesystem (rootfs.diff_ids). Keys we do not model are kept and written back unchanged.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sandbox.errors import StorageError


@dataclass
class HistoryEntry:
    created: str | None = None
    created_by: str | None = None
    author: str | None = None
    comment: str | None = None
    empty_layer: bool = False

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> HistoryEntry:
        return cls(created=d.get("created"), created_by=d.get("created_by"), author=d.get("author"),
                   comment=d.get("comment"), empty_layer=bool(d.get("empty_layer", False)))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key in ("created", "created_by", "author", "comment"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        if self.empty_layer:
            out["empty_layer"] = True
        return out


_CONFIG_KEYS = ("Env", "Cmd", "Entrypoint", "WorkingDir", "User", "ExposedPorts", "Volumes", "Labels",
                "StopSignal")
_TOP_KEYS = ("architecture", "os", "variant", "created", "author", "config", "history", "rootfs")


@dataclass
class ImageConfig:
    architecture: str = "amd64"
    os: str = "linux"
    variant: str | None = None
    created: str | None = None
    author: str | None = None
    env: list[str] = field(default_factory=list)
    cmd: list[str] | None = None
    entrypoint: list[str] | None = None
    working_dir: str = ""
    user: str = ""
    exposed_ports: list[str] = field(default_factory=list)
    """``80/tcp`` style keys."""
    volumes: list[str] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    stop_signal: str | None = None
    history: list[HistoryEntry] = field(default_factory=list)
    diff_ids: list[str] = field(default_factory=list)
    extra_config: dict[str, Any] = field(default_factory=dict)
    """Keys of ``config`` we do not model (Healthcheck, OnBuild, ...), kept for the round trip."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Top-level keys we do not model."""

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ImageConfig:
        c = d.get("config")
        c = {} if c is None else c
        rootfs = d.get("rootfs")
        rootfs = {} if rootfs is None else rootfs
        if not isinstance(c, dict) or not isinstance(rootfs, dict):
            raise StorageError("image config: 'config' and 'rootfs' must be objects")
        if rootfs and rootfs.get("type", "layers") != "layers":
            raise StorageError(f"image config: rootfs.type is {rootfs.get('type')!r}, not 'layers'")
        return cls(
            architecture=d.get("architecture", "amd64"), os=d.get("os", "linux"), variant=d.get("variant"),
            created=d.get("created"), author=d.get("author"),
            env=list(c.get("Env") or []), cmd=c.get("Cmd"), entrypoint=c.get("Entrypoint"),
            working_dir=c.get("WorkingDir") or "", user=c.get("User") or "",
            exposed_ports=sorted(c.get("ExposedPorts") or {}), volumes=sorted(c.get("Volumes") or {}),
            labels=dict(c.get("Labels") or {}), stop_signal=c.get("StopSignal"),
            history=[HistoryEntry.from_dict(h) for h in d.get("history") or []],
            diff_ids=list(rootfs.get("diff_ids") or []),
            extra_config={k: v for k, v in c.items() if k not in _CONFIG_KEYS},
            extra={k: v for k, v in d.items() if k not in _TOP_KEYS},
        )

    @classmethod
    def from_json(cls, data: bytes | str) -> ImageConfig:
        try:
            d = json.loads(data)
        except ValueError as e:
            raise StorageError(f"image config is not valid JSON: {e}") from e
        if not isinstance(d, dict):
            raise StorageError("image config is not a JSON object")
        return cls.from_dict(d)

    def to_dict(self) -> dict[str, Any]:
        c: dict[str, Any] = dict(self.extra_config)
        if self.env:
            c["Env"] = list(self.env)
        if self.cmd is not None:
            c["Cmd"] = list(self.cmd)
        if self.entrypoint is not None:
            c["Entrypoint"] = list(self.entrypoint)
        if self.working_dir:
            c["WorkingDir"] = self.working_dir
        if self.user:
            c["User"] = self.user
        if self.exposed_ports:
            c["ExposedPorts"] = {p: {} for p in self.exposed_ports}
        if self.volumes:
            c["Volumes"] = {v: {} for v in self.volumes}
        if self.labels:
            c["Labels"] = dict(self.labels)
        if self.stop_signal:
            c["StopSignal"] = self.stop_signal
        out: dict[str, Any] = dict(self.extra)
        out.update({"architecture": self.architecture, "os": self.os, "config": c,
                    "rootfs": {"type": "layers", "diff_ids": list(self.diff_ids)},
                    "history": [h.to_dict() for h in self.history]})
        for key in ("variant", "created", "author"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        return out

    def to_json(self) -> bytes:
        """Canonical bytes (sorted keys, no spaces): the same config always has the same digest."""
        return json.dumps(self.to_dict(), separators=(",", ":"), sort_keys=True).encode()

    def env_dict(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for item in self.env:
            key, _, value = item.partition("=")
            out[key] = value
        return out
