"""A container's mounts from Docker's create body: ``HostConfig.Binds`` (``-v``),
``HostConfig.Mounts`` (``--mount``), ``HostConfig.Tmpfs`` (``--tmpfs``), and the image's and
container's ``Volumes`` (anonymous volumes)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from sandbox.engine.volumes.service import VolumeService
from sandbox.errors import InvalidVolume


@dataclass
class MountPlan:
    kind: str
    """"bind", "volume" or "tmpfs"."""
    destination: str
    source: str = ""
    """The host path that is bound (a volume's ``_data``); empty for tmpfs."""
    readonly: bool = False
    volume: str | None = None
    anonymous: bool = False
    copy_up: bool = True
    """Fill an empty volume from the image's files at ``destination`` (not with nocopy)."""
    tmpfs_options: list[str] = field(default_factory=list)

    def oci(self) -> dict[str, Any]:
        """The runtime spec's mount entry."""
        if self.kind == "tmpfs":
            opts = ["nosuid", "nodev", "noexec"] + self.tmpfs_options + (["ro"] if self.readonly else [])
            return {"destination": self.destination, "type": "tmpfs", "source": "tmpfs", "options": opts}
        # rprivate: mounts made under the volume inside the container stay there.
        return {"destination": self.destination, "type": "bind", "source": self.source,
                "options": ["rbind", "rprivate", "ro" if self.readonly else "rw"]}

    def inspect(self) -> dict[str, Any]:
        """``docker inspect``'s ``Mounts`` entry."""
        d: dict[str, Any] = {"Type": self.kind, "Source": self.source, "Destination": self.destination,
                             "Mode": "ro" if self.readonly else "", "RW": not self.readonly,
                             "Propagation": "rprivate" if self.kind == "bind" else ""}
        if self.kind == "volume":
            d.update({"Name": self.volume, "Driver": "local", "Mode": "z" if not self.readonly else "ro"})
        return d


def _check_destination(dest: str, seen: set[str]) -> str:
    if not dest.startswith("/"):
        raise InvalidVolume(f"invalid mount config: mount path must be absolute: {dest!r}")
    dest = os.path.normpath(dest)
    if dest in seen:
        raise InvalidVolume(f"Duplicate mount point: {dest}")
    seen.add(dest)
    return dest


def _parse_bind(spec: str) -> tuple[str, str, list[str]]:
    parts = spec.split(":")
    if len(parts) == 1:
        return "", parts[0], []
    if len(parts) in (2, 3):
        return parts[0], parts[1], parts[2].split(",") if len(parts) == 3 else []
    raise InvalidVolume(f"invalid volume specification: '{spec}'")


def plan_mounts(host_config: dict[str, Any], config: dict[str, Any], image_volumes: dict[str, Any] | None,
                volumes: VolumeService) -> list[MountPlan]:
    """Validates everything first, then creates the named and anonymous volumes it needs."""
    plans: list[MountPlan] = []
    seen: set[str] = set()
    for spec in host_config.get("Binds") or []:
        if not isinstance(spec, str):
            raise InvalidVolume(f"invalid volume specification: {spec!r}")
        source, dest, opts = _parse_bind(spec)
        bad = [o for o in opts if o not in ("ro", "rw", "z", "Z", "nocopy", "rprivate", "private", "rslave",
                                             "slave", "rshared", "shared", "consistent", "cached", "delegated")]
        if bad:
            raise InvalidVolume(f"invalid mode: {','.join(bad)}")
        dest = _check_destination(dest, seen)
        ro = "ro" in opts
        if not source:
            plans.append(MountPlan("volume", dest, readonly=ro, anonymous=True))
        elif source.startswith("/"):
            plans.append(MountPlan("bind", dest, source=os.path.normpath(source), readonly=ro))
        else:
            plans.append(MountPlan("volume", dest, volume=source, readonly=ro, copy_up="nocopy" not in opts))
    for m in host_config.get("Mounts") or []:
        if not isinstance(m, dict):
            raise InvalidVolume(f"invalid mount config: {m!r}")
        kind = m.get("Type") or "volume"
        target = m.get("Target") or ""
        dest = _check_destination(target, seen)
        ro = bool(m.get("ReadOnly"))
        if kind == "bind":
            src = m.get("Source") or ""
            if not src.startswith("/") or not os.path.exists(src):
                raise InvalidVolume(f'invalid mount config for type "bind": bind source path does not exist: {src}')
            plans.append(MountPlan("bind", dest, source=os.path.normpath(src), readonly=ro))
        elif kind == "volume":
            nocopy = bool((m.get("VolumeOptions") or {}).get("NoCopy"))
            name = m.get("Source") or None
            plans.append(MountPlan("volume", dest, volume=name, readonly=ro, anonymous=name is None,
                                   copy_up=not nocopy))
        elif kind == "tmpfs":
            t = m.get("TmpfsOptions") or {}
            opts = []
            if t.get("SizeBytes"):
                opts.append(f"size={int(t['SizeBytes'])}")
            if t.get("Mode"):
                opts.append(f"mode={int(t['Mode']):o}")
            plans.append(MountPlan("tmpfs", dest, readonly=ro, tmpfs_options=opts))
        else:
            raise InvalidVolume(f'invalid mount config: mount type "{kind}" is not supported here')
    for dest, opts in (host_config.get("Tmpfs") or {}).items():
        dest = _check_destination(dest, seen)
        words = [w for w in str(opts or "").split(",") if w]
        plans.append(MountPlan("tmpfs", dest, readonly="ro" in words,
                               tmpfs_options=[w for w in words if w not in ("ro", "rw")]))
    anonymous_paths = list((image_volumes or {}).keys()) + list((config.get("Volumes") or {}).keys())
    for dest in anonymous_paths:
        norm = os.path.normpath(dest)
        if norm in seen:
            continue  # an explicit mount at the image's VOLUME path wins
        _check_destination(norm, seen)
        plans.append(MountPlan("volume", norm, anonymous=True))
    for p in plans:
        if p.kind == "volume":
            if p.anonymous:
                vol = volumes.create(anonymous=True)
                p.volume = vol["Name"]
            elif not volumes.exists(p.volume or ""):
                volumes.create(p.volume)
            p.source = str(volumes.mountpoint(p.volume or ""))
        elif p.kind == "bind" and not os.path.exists(p.source) and (host_config.get("Binds") or []):
            # `-v /host/dir:/x` makes a missing host directory, as dockerd does.
            os.makedirs(p.source, exist_ok=True)
    return plans
