"""A container's mounts, when the engine has a ``VolumeService``: ``-v``, ``--mount``,
``--tmpfs``, the image's ``VOLUME``s, ``--volumes-from``; Docker's copy-up; which
containers use a volume; and ``rm -v``.

The plan is made once, at create, and kept in the record (``Record.mounts``): named volumes
that do not exist yet and anonymous ones are created then, as dockerd does, so
``docker volume ls`` shows them before the container ever runs.
"""

from __future__ import annotations

import os
import stat
from dataclasses import asdict, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sandbox.engine.containers import fspath
from sandbox.engine.volumes import MountPlan, plan_mounts
from sandbox.errors import InvalidVolume, VolumeInUse, VolumeNotFound

if TYPE_CHECKING:
    from sandbox.engine.containers.context import Engine
    from sandbox.engine.containers.record import Record
    from sandbox.storage import Image


def plans_of(rec: Record) -> list[MountPlan]:
    return [MountPlan(**m) for m in rec.mounts]


def _volumes_from(eng: Engine, host: dict[str, Any]) -> list[MountPlan]:
    """``--volumes-from NAME[:ro|:rw]``: the other container's volumes and binds, at the same
    places; ``ro``/``rw`` override their modes. Its tmpfs mounts are its own and not shared."""
    out: list[MountPlan] = []
    for spec in host.get("VolumesFrom") or []:
        ref, _, mode = spec.partition(":")
        if mode not in ("", "ro", "rw"):
            raise InvalidVolume(f"invalid mode for volumes-from: {mode}", "use NAME, NAME:ro or NAME:rw")
        other = eng.registry.get(ref)
        for p in plans_of(other.rec):
            if p.kind == "tmpfs":
                continue
            ro = p.readonly if not mode else mode == "ro"
            out.append(replace(p, readonly=ro, copy_up=False))
    return out


def plan(eng: Engine, host: dict[str, Any], config: dict[str, Any],
         image_config: dict[str, Any]) -> list[MountPlan]:
    """Every mount of a new container, volumes created. Explicit mounts beat
    ``--volumes-from``, which beats the image's ``VOLUME`` at the same path."""
    if eng.volumes is None:
        return []
    inherited = _volumes_from(eng, host)
    taken = {p.destination for p in inherited}
    image_volumes = {d: v for d, v in (image_config.get("Volumes") or {}).items()
                     if os.path.normpath(d) not in taken}
    own_config = dict(config)
    own_config["Volumes"] = {d: v for d, v in (config.get("Volumes") or {}).items()
                             if os.path.normpath(d) not in taken}
    explicit = plan_mounts(host, own_config, image_volumes, eng.volumes)
    mine = {p.destination for p in explicit}
    plans = explicit + [p for p in inherited if p.destination not in mine]
    # Parents before children: a volume at /data must be mounted before one at /data/logs.
    plans.sort(key=lambda p: p.destination.count("/") if p.destination != "/" else 0)
    return plans


def records(plans: list[MountPlan]) -> list[dict[str, Any]]:
    return [asdict(p) for p in plans]


def oci_mounts(rec: Record) -> list[dict[str, Any]]:
    return [p.oci() for p in plans_of(rec)]


def inspect_mounts(rec: Record) -> list[dict[str, Any]]:
    """``docker inspect``'s ``Mounts``."""
    return [p.inspect() for p in plans_of(rec)]


def copy_up(eng: Engine, container_id: str, image: Image, plans: list[MountPlan]) -> None:
    """Docker's copy-up: an empty volume first mounted where the image has a directory starts
    with a copy of it. The container's root is mounted only when some image has files there."""
    if eng.volumes is None:
        return
    wanted = [p for p in plans if p.kind == "volume" and p.copy_up and p.volume
              and _image_has_dir(eng, image, p.destination)]
    if not wanted:
        return
    root = eng.store.mount_container(container_id)
    try:
        root_fd = os.open(root, fspath.DIR_FLAGS)
        try:
            for p in wanted:
                _fill(eng, root_fd, p)
        finally:
            os.close(root_fd)
    finally:
        eng.store.unmount_container(container_id)


def _image_has_dir(eng: Engine, image: Image, destination: str) -> bool:
    found = eng.store.resolve_path(image, destination)
    # A symlink at the path may still lead to a directory: the resolved walk in _fill decides.
    return found is not None and (found.is_dir() or found.is_symlink())


def _fill(eng: Engine, root_fd: int, p: MountPlan) -> None:
    assert eng.volumes is not None and p.volume is not None
    try:
        # Resolved inside the container's root: an image whose VOLUME path is a symlink to
        # /etc must copy its own /etc, never the host's.
        found = fspath.resolve(root_fd, p.destination, follow_last=True)
    except fspath.PathNotFound:
        return
    try:
        if found.st is None or not stat.S_ISDIR(found.st.st_mode):
            return
        dir_fd = found.open_dir()
    finally:
        found.close()
    try:
        eng.volumes.fill_once(p.volume, Path(f"/proc/self/fd/{dir_fd}"))
    finally:
        os.close(dir_fd)


def users(eng: Engine, name: str) -> list[str]:
    """The ids of the containers whose mounts use volume ``name`` (VolumeService asks)."""
    return [c.id for c in eng.registry.all()
            if not c.removed and any(m.get("volume") == name for m in c.rec.mounts)]


def remove_anonymous(eng: Engine, rec: Record) -> list[str]:
    """``rm -v`` (and ``--rm``): the container's anonymous volumes that no other container
    uses; never a named one. Returns the names removed."""
    if eng.volumes is None:
        return []
    gone: list[str] = []
    for p in plans_of(rec):
        if p.kind != "volume" or not p.anonymous or not p.volume:
            continue
        try:
            eng.volumes.remove(p.volume)
        except VolumeInUse:
            continue  # shared through --volumes-from: it stays for the other container
        except VolumeNotFound:
            continue  # removed by hand already
        gone.append(p.volume)
    return gone


def discard_new(eng: Engine, plans: list[MountPlan]) -> None:
    """Undo a create cut short: the anonymous volumes it made (nobody else knows them)."""
    if eng.volumes is None:
        return
    for p in plans:
        if p.kind == "volume" and p.anonymous and p.volume and eng.volumes.exists(p.volume):
            try:
                eng.volumes.remove(p.volume)
            except VolumeInUse:
                continue  # inherited through --volumes-from: the other container's
