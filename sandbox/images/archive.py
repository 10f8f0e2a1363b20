"""Images in tar files: ``docker save``/``load``, ``docker import``, and rootfs export.

``save`` writes one tar that is two formats at once, as Docker 25 does:

    blobs/sha256/<hex>   manifests, configs and layers, exactly as stored (digests kept)
    oci-layout, index.json          an OCI image layout (skopeo's ``oci-archive:``)
    manifest.json, repositories     the docker-archive index (``docker load``)

``load`` reads either: a docker-archive (``manifest.json``: ``[{Config, RepoTags, Layers}]``,
new style with blob paths or old style with ``<id>/layer.tar``) or a plain OCI layout. The
archive comes from outside, so its own member names are checked (no absolute paths, no
``..``, links only to other members, no devices) while it is unpacked into a staging
directory inside the store root; every layer is then applied through the store's safe tar
path, and every blob checked against its digest, by ``Store.import_from_layout``. When the
archive carries the image's original manifest it is used, so the manifest digest survives
a save → load round trip; otherwise a manifest is made from the layers as they are.

``import_rootfs`` makes a one-layer image from a root filesystem tarball (plain or
compressed) with ``--change`` instructions; ``export_rootfs`` and ``export_image`` write a
directory tree or an image's merged filesystem as such a tarball.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
import shutil
import stat
import tarfile
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import BinaryIO

from sandbox.errors import ArchiveError, DigestMismatch, InvalidChange, InvalidReference, UnsafeArchive
from sandbox.images.registry.names import DOCKER_HUB
from sandbox.storage import Change, HistoryEntry, Image, ImageConfig, Store, normalize_reference
from sandbox.storage import mediatypes as mt
from sandbox.storage.digest import CHUNK, HashingReader
from sandbox.storage.importer import host_arch
from sandbox.storage.layout import MAX_DOCUMENT, OciLayout
from sandbox.storage.oci import Descriptor, Index, Manifest
from sandbox.storage.tarapply import clean_name
from sandbox.storage.tarexport import export_changes

CONTAINERD_NAME = "io.containerd.image.name"
_MAX_LINK_HOPS = 40
_GZIP_MAGIC = b"\x1f\x8b"


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _full_name(tag: str) -> str:
    """``busybox:latest`` → the fully qualified name on Docker Hub (``library/`` included),
    as containerd and Docker 25 put it in an archive's index.json."""
    first, sep, _ = tag.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost"):
        return tag
    return f"{DOCKER_HUB}/{tag}" if sep else f"{DOCKER_HUB}/library/{tag}"


# -- save ---------------------------------------------------------------------------------


def _tags_for(store: Store, refs: Sequence[str]) -> list[tuple[Image, list[str]]]:
    """Each image once, in the order first named, with the tags the refs named it by."""
    out: dict[str, tuple[Image, list[str]]] = {}
    for ref in refs:
        image = store.image(ref)
        image_tags = out.setdefault(image.id, (image, []))[1]
        try:
            r = normalize_reference(ref)
        except InvalidReference:
            continue  # an id prefix: saved without a tag, as Docker does
        if r.tagged and r.tagged in image.tags and r.tagged not in image_tags:
            image_tags.append(r.tagged)
    return list(out.values())


class _TarOut:
    def __init__(self, out: BinaryIO) -> None:
        self.tf = tarfile.open(fileobj=out, mode="w|", format=tarfile.PAX_FORMAT)  # noqa: SIM115
        self.written: set[str] = set()

    def _info(self, name: str, kind: bytes, size: int = 0, mode: int = 0o644) -> tarfile.TarInfo:
        info = tarfile.TarInfo(name)
        info.type, info.size, info.mode, info.mtime = kind, size, mode, 0
        info.uname = info.gname = ""
        return info

    def dir(self, name: str) -> None:
        self.tf.addfile(self._info(name, tarfile.DIRTYPE, mode=0o755))

    def data(self, name: str, data: bytes) -> None:
        import io

        self.tf.addfile(self._info(name, tarfile.REGTYPE, len(data)), io.BytesIO(data))

    def blob(self, store: Store, digest: str) -> None:
        if digest in self.written:
            return
        self.written.add(digest)
        size = store.layout.blob_size(digest)
        with store.layout.open_blob(digest) as f:
            reader = HashingReader(f)
            self.tf.addfile(self._info("blobs/sha256/" + digest.split(":", 1)[1], tarfile.REGTYPE, size),
                            reader)
        if reader.digest != digest:
            raise DigestMismatch(digest, reader.digest, "blob in the store")

    def close(self) -> None:
        self.tf.close()


def save(store: Store, refs: Sequence[str], out: BinaryIO) -> None:
    """Write the images named by ``refs`` (tags or ids) to ``out`` as a docker-archive that
    is also an OCI layout. Raises ``ImageUnknown`` before writing anything if one is missing."""
    images = _tags_for(store, refs)
    index = Index()
    docker_manifest: list[dict[str, object]] = []
    repositories: dict[str, dict[str, str]] = {}
    tar = _TarOut(out)
    try:
        tar.dir("blobs")
        tar.dir("blobs/sha256")
        for image, tags in images:
            manifest = Manifest.from_json(store.layout.read_blob(image.manifest_digest, what="image manifest"))
            for desc in [manifest.config, *manifest.layers]:
                tar.blob(store, desc.digest)
            tar.blob(store, image.manifest_digest)
            for tag in tags or [""]:
                annotations = {CONTAINERD_NAME: _full_name(tag), mt.REF_NAME: tag} if tag else {}
                index.manifests.append(Descriptor(image.manifest_media_type, image.manifest_digest,
                                                  image.manifest_size, annotations=annotations))
            layer_paths = ["blobs/sha256/" + d.digest.split(":", 1)[1] for d in manifest.layers]
            docker_manifest.append({"Config": "blobs/sha256/" + manifest.config.digest.split(":", 1)[1],
                                    "RepoTags": tags or None, "Layers": layer_paths})
            for tag in tags:
                name, _, version = tag.rpartition(":")
                if layer_paths:
                    repositories.setdefault(name, {})[version] = layer_paths[-1].rsplit("/", 1)[1]
        tar.data("index.json", index.to_json())
        tar.data("manifest.json", json.dumps(docker_manifest, separators=(",", ":")).encode() + b"\n")
        tar.data("oci-layout", json.dumps({"imageLayoutVersion": mt.OCI_LAYOUT_VERSION}).encode())
        if repositories:
            tar.data("repositories", json.dumps(repositories, separators=(",", ":")).encode() + b"\n")
    finally:
        tar.close()


# -- load ---------------------------------------------------------------------------------


@dataclass
class _Unpacked:
    root: Path
    links: dict[str, str] = field(default_factory=dict)
    """Link member → the member it points at (both archive-relative, already checked)."""

    def path(self, name: str, what: str) -> Path:
        rel = "/".join(clean_name(name, what=f"{what} path"))
        try:
            st: os.stat_result | None = os.lstat(self.root / rel)
        except (FileNotFoundError, NotADirectoryError):
            st = None
        if st is None or not stat.S_ISREG(st.st_mode):
            raise ArchiveError(f"the archive names {what} {name!r}, which it does not contain")
        return self.root / rel

    def read(self, name: str, what: str) -> bytes:
        path = self.path(name, what)
        if path.stat().st_size > MAX_DOCUMENT:
            raise ArchiveError(f"{what} {name!r} in the archive is larger than {MAX_DOCUMENT} bytes")
        return path.read_bytes()

    def has(self, name: str) -> bool:
        return (self.root / name).is_file()


def _link_target(member: tarfile.TarInfo) -> str:
    """Where a link member points, relative to the archive root; refused if it leaves it."""
    parts = list(clean_name(member.name))
    if member.issym():
        if member.linkname.startswith("/"):
            raise UnsafeArchive(member.name, f"absolute link target {member.linkname!r}")
        base = parts[:-1]
        for p in member.linkname.split("/"):
            if p in ("", "."):
                continue
            if p == "..":
                if not base:
                    raise UnsafeArchive(member.name, f"link target {member.linkname!r} leaves the archive")
                base.pop()
            else:
                base.append(p)
        return "/".join(base)
    return "/".join(clean_name(member.linkname, member.name, "link target"))


def _unpack(src: BinaryIO, root: Path) -> _Unpacked:
    """Unpack the archive's regular files and directories under ``root``; links become
    hard links to the member they name. Nothing but plain files and directories is made,
    so no later path can be redirected outside ``root``."""
    unpacked = _Unpacked(root)
    try:
        with tarfile.open(fileobj=src, mode="r|*") as tf:
            for member in tf:
                parts = clean_name(member.name)
                if not parts:
                    continue
                target = root.joinpath(*parts)
                if member.isdir():
                    target.mkdir(parents=True, exist_ok=True)
                elif member.isreg():
                    target.parent.mkdir(parents=True, exist_ok=True)
                    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
                    with os.fdopen(fd, "wb") as out:
                        data = tf.extractfile(member)
                        assert data is not None
                        shutil.copyfileobj(data, out, CHUNK)
                elif member.issym() or member.islnk():
                    unpacked.links["/".join(parts)] = _link_target(member)
                else:
                    raise UnsafeArchive(member.name, "an image archive holds only files, directories and links")
    except (tarfile.TarError, EOFError) as e:
        raise ArchiveError(f"not a readable tar archive: {e}", "pass the file `docker save` wrote") from e
    except (NotADirectoryError, IsADirectoryError, FileExistsError) as e:
        raise ArchiveError(f"the archive uses one name as both a file and a directory: {e.filename}") from e
    _materialize_links(unpacked)
    return unpacked


def _materialize_links(unpacked: _Unpacked) -> None:
    """Old docker-archives link repeated layers (``<id>/layer.tar -> ../<other>/layer.tar``):
    give each link name a hard link to its (possibly linked) target file."""
    pending = dict(unpacked.links)
    for _ in range(_MAX_LINK_HOPS):
        progress = False
        for name, target in list(pending.items()):
            src = unpacked.root / target
            if target in pending or not src.is_file() or src.is_symlink():
                continue
            dst = unpacked.root / name
            if dst.is_dir():
                raise ArchiveError(f"the archive uses {name!r} as both a directory and a link")
            dst.parent.mkdir(parents=True, exist_ok=True)
            if os.path.lexists(dst):
                os.unlink(dst)
            os.link(src, dst)
            del pending[name]
            progress = True
        if not pending or not progress:
            return


def _file_digest(path: Path) -> tuple[str, int, bool]:
    """sha256, size, and whether the file is gzip-compressed."""
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        head = f.read(2)
        f.seek(0)
        while chunk := f.read(CHUNK):
            h.update(chunk)
            size += len(chunk)
    return "sha256:" + h.hexdigest(), size, head == _GZIP_MAGIC


def _oci_manifests(unpacked: _Unpacked) -> list[tuple[bytes, str]]:
    """Every image manifest an OCI index.json in the archive reaches (through nested indexes)."""
    if not unpacked.has("index.json"):
        return []
    layout = OciLayout(unpacked.root)
    found: list[tuple[bytes, str]] = []
    todo = list(layout.index().manifests)
    seen: set[str] = set()
    while todo:
        desc = todo.pop()
        if desc.digest in seen or not layout.has_blob(desc.digest):
            continue
        seen.add(desc.digest)
        data = layout.read_blob(desc.digest, what="manifest in the archive")
        if desc.media_type in mt.INDEXES:
            todo += Index.from_json(data, f"index {desc.digest}").manifests
        elif desc.media_type in mt.MANIFESTS:
            found.append((data, desc.media_type))
    return found


def _load_docker_archive(store: Store, unpacked: _Unpacked, work: Path) -> list[Image]:
    try:
        entries = json.loads(unpacked.read("manifest.json", "manifest.json"))
    except ValueError as e:
        raise ArchiveError(f"manifest.json is not valid JSON: {e}") from e
    if not isinstance(entries, list):
        raise ArchiveError("manifest.json is not a list of images")
    originals = _oci_manifests(unpacked)
    # The images go through an OCI layout of our own making, outside the unpacked
    # archive, so nothing the archive holds can stand in for what we write there.
    staging = OciLayout(work)
    staging.ensure()
    images: list[Image] = []
    for n, entry in enumerate(entries):
        if not isinstance(entry, dict) or not isinstance(entry.get("Config"), str) \
                or not isinstance(entry.get("Layers"), list):
            raise ArchiveError(f"manifest.json entry {n} lacks Config or Layers")
        config_bytes = unpacked.read(entry["Config"], "config")
        config_digest, _ = staging.put_bytes(config_bytes)
        _check_claimed(entry["Config"], config_digest)
        layers: list[Descriptor] = []
        for name in entry["Layers"]:
            path = unpacked.path(str(name), "layer")
            digest, size, gz = _file_digest(path)
            _check_claimed(str(name), digest)
            if not staging.has_blob(digest):
                os.link(path, staging.blob_path(digest))
            layers.append(Descriptor(mt.LAYER_GZIP if gz else mt.LAYER_TAR, digest, size))
        manifest_bytes, media_type = _matching_manifest(originals, config_digest, [x.digest for x in layers]) or (
            Manifest(config=Descriptor(mt.CONFIG, config_digest, len(config_bytes)), layers=layers).to_json(),
            mt.MANIFEST)
        manifest_digest, size = staging.put_bytes(manifest_bytes)
        tags = [str(t) for t in entry.get("RepoTags") or []]
        desc = Descriptor(media_type, manifest_digest, size)
        staging.update_index(lambda index, d=desc: index.manifests.append(d))  # type: ignore[misc]
        images.append(store.import_from_layout(staging.root, manifest_digest, tags))
    return images


_BLOB_NAME = re.compile(r"^(?:\./)?blobs/sha256/([0-9a-f]{64})$")


def _check_claimed(name: str, digest: str) -> None:
    """A member named ``blobs/sha256/<hex>`` (Docker 25's layout) claims its own digest."""
    m = _BLOB_NAME.match(name)
    if m and digest != "sha256:" + m.group(1):
        raise DigestMismatch("sha256:" + m.group(1), digest, f"{name} in the archive")


def _matching_manifest(originals: list[tuple[bytes, str]], config: str, layers: list[str]) -> tuple[bytes, str] | None:
    for data, media_type in originals:
        m = Manifest.from_json(data)
        if m.config.digest == config and [x.digest for x in m.layers] == layers:
            return data, media_type
    return None


def _load_oci_layout(store: Store, unpacked: _Unpacked) -> list[Image]:
    layout = OciLayout(unpacked.root)
    # The store applies a layer while it hashes it, so damaged bytes could fail as a bad
    # tar before the digest is compared: check every blob first, to name the real cause.
    for digest in layout.blobs():
        layout.verify_blob(digest)
    tags: dict[str, list[str]] = {}
    for desc in layout.index().manifests:
        names = tags.setdefault(desc.digest, [])
        name = desc.annotations.get(CONTAINERD_NAME) or desc.ref_name
        # A bare ref.name ("latest", as Docker writes it beside the containerd name) has no
        # repository to tag with; a full one ("busybox:latest", ours and skopeo's) does.
        if name and (":" in name or "/" in name) and name not in names:
            names.append(name)
    return [store.import_from_layout(layout.root, digest, names) for digest, names in tags.items()]


def load(store: Store, src: BinaryIO) -> list[Image]:
    """Load every image of a docker-archive or OCI-layout tar (plain or compressed) into
    ``store``, with the tags the archive gives them. Raises ``ArchiveError`` for an archive
    we cannot read, ``UnsafeArchive`` for a hostile one, ``DigestMismatch`` for damage."""
    store.root.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".load-", dir=store.root))
    try:
        unpacked = _unpack(src, work / "archive")
        if unpacked.has("manifest.json"):
            images = _load_docker_archive(store, unpacked, work / "layout")
        elif unpacked.has("index.json"):
            images = _load_oci_layout(store, unpacked)
        else:
            raise ArchiveError("the archive has neither manifest.json (docker save) nor index.json (an OCI "
                               "layout)", "pass a file written by `docker save` or `skopeo copy … oci-archive:`")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    unique: dict[str, Image] = {}
    for image in images:
        unique[image.id] = store.image(image.id)
    return list(unique.values())


# -- import -------------------------------------------------------------------------------

_CHANGES = ("CMD", "ENTRYPOINT", "ENV", "EXPOSE", "LABEL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR")
_PORT = re.compile(r"^(\d{1,5})(?:/(tcp|udp|sctp))?$")


def _words(change: str, rest: str) -> list[str]:
    try:
        return shlex.split(rest)
    except ValueError as e:
        raise InvalidChange(change, f"unbalanced quotes: {e}") from e


def _json_or(rest: str, fallback: Callable[[str], list[str]]) -> list[str]:
    """The exec form ``["a", "b"]`` if ``rest`` is a JSON list of strings, else ``fallback``."""
    if rest.startswith("["):
        try:
            value = json.loads(rest)
        except ValueError:
            value = None
        if isinstance(value, list) and all(isinstance(x, str) for x in value):
            return value
    return fallback(rest)


def _pairs(change: str, rest: str) -> list[tuple[str, str]]:
    """``K=V K2="v 2"``, or the old ``K value with spaces``."""
    words = _words(change, rest)
    if words and "=" not in words[0]:
        key, _, value = rest.strip().partition(" ")
        return [(key, value.strip())]
    out = []
    for word in words:
        key, sep, value = word.partition("=")
        if not sep or not key:
            raise InvalidChange(change, f"{word!r} is not KEY=VALUE")
        out.append((key, value))
    return out


def apply_changes(config: ImageConfig, changes: Sequence[str]) -> ImageConfig:
    """``config`` with Dockerfile-like ``changes`` (``docker import --change``) applied."""
    config = replace(config, env=list(config.env), labels=dict(config.labels),
                     exposed_ports=list(config.exposed_ports), volumes=list(config.volumes))
    for change in changes:
        instruction, _, rest = change.strip().partition(" ")
        word, rest = instruction.upper(), rest.strip()
        if word not in _CHANGES:
            raise InvalidChange(change, f"{instruction or '(empty)'} is not an instruction import can apply")
        if not rest:
            raise InvalidChange(change, f"{word} needs an argument")
        if word in ("CMD", "ENTRYPOINT"):
            argv = _json_or(rest, lambda r: ["/bin/sh", "-c", r])
            config = replace(config, cmd=argv) if word == "CMD" else replace(config, entrypoint=argv)
        elif word == "ENV":
            env = config.env_dict()
            env.update(_pairs(change, rest))
            config.env = [f"{k}={v}" for k, v in env.items()]
        elif word == "LABEL":
            config.labels.update(_pairs(change, rest))
        elif word == "EXPOSE":
            for port in _words(change, rest):
                m = _PORT.match(port)
                if m is None or not 0 < int(m.group(1)) < 65536:
                    raise InvalidChange(change, f"{port!r} is not a port (80, 80/tcp, 53/udp)")
                key = f"{int(m.group(1))}/{m.group(2) or 'tcp'}"
                if key not in config.exposed_ports:
                    config.exposed_ports.append(key)
        elif word == "VOLUME":
            for volume in _json_or(rest, lambda r, c=change: _words(c, r)):  # type: ignore[misc]
                if not volume.startswith("/"):
                    raise InvalidChange(change, f"volume {volume!r} is not an absolute path")
                if volume not in config.volumes:
                    config.volumes.append(volume)
        elif word == "WORKDIR":
            config.working_dir = os.path.normpath(os.path.join(config.working_dir or "/", rest))
        elif word == "USER":
            config.user = rest
        else:
            config.stop_signal = rest
    return config


@contextmanager
def _spool(store: Store) -> Iterator[BinaryIO]:
    """A temporary file in the store root (the same file system as the layers, not /tmp)."""
    store.root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryFile(dir=store.root, prefix=".import-") as f:
        yield f


def _without_devices(src: BinaryIO, out: BinaryIO) -> None:
    """Copy a (possibly compressed) tar stream as a plain tar without device nodes: an
    exported container has /dev entries, but a layer never carries devices."""
    try:
        with tarfile.open(fileobj=src, mode="r|*") as tin, \
                tarfile.open(fileobj=out, mode="w|", format=tarfile.PAX_FORMAT) as tout:
            for member in tin:
                if member.ischr() or member.isblk():
                    continue
                tout.addfile(member, tin.extractfile(member) if member.isreg() else None)
    except (tarfile.TarError, EOFError) as e:
        raise ArchiveError(f"not a readable tar archive: {e}",
                           "import takes a root filesystem tarball (tar, tar.gz, tar.bz2, tar.xz)") from e


def import_rootfs(store: Store, src: BinaryIO, ref: str | None = None, changes: Sequence[str] = (),
                  message: str = "", source: str = "-") -> Image:
    """``docker import``: a one-layer image from the root filesystem tarball ``src``.

    ``changes`` are applied to the config and checked before the tarball is read."""
    created = _now()
    config = apply_changes(ImageConfig(architecture=host_arch(), os="linux", created=created), changes)
    tags = [ref] if ref else []
    for tag in tags:
        if normalize_reference(tag).tagged is None:
            raise InvalidReference(tag, "import needs a name and tag, not a digest")
    with _spool(store) as plain:
        _without_devices(src, plain)
        plain.seek(0)
        layer = store.import_layer_tar(plain)
    config.history = [HistoryEntry(created=created, created_by="", comment=message or f"Imported from {source}")]
    return store.create_image([layer], config, tags)


# -- export -------------------------------------------------------------------------------


def export_rootfs(root: Path, out: BinaryIO) -> None:
    """Write the directory tree ``root`` (a container's mounted root filesystem, an image's
    merged view) to ``out`` as a tar: sorted, numeric owners, devices left out."""
    changes: list[Change] = []
    for dirpath, dirnames, filenames in os.walk(root):
        rel = os.path.relpath(dirpath, root)
        prefix = "" if rel == "." else "/" + rel.replace(os.sep, "/")
        changes += [Change(f"{prefix}/{name}", "A") for name in dirnames + filenames]
    export_changes(changes, Path(root), out)


def export_image(store: Store, image: Image | str, out: BinaryIO) -> None:
    """The merged file system of an image as one tar (what ``docker export`` of a fresh
    container of it gives). The overlay driver mounts it read-only for this (needs root)."""
    layout = store.image_rootfs(image)
    if layout.kind == "dir":
        assert layout.path is not None
        export_rootfs(layout.path, out)
        return
    with tempfile.TemporaryDirectory(dir=store.root, prefix=".export-") as mnt:
        store.mount_image(image, Path(mnt))
        try:
            export_rootfs(Path(mnt), out)
        finally:
            store.unmount(Path(mnt))


__all__ = ["apply_changes", "export_image", "export_rootfs", "import_rootfs", "load", "save"]
