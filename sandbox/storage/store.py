"""The image store: one facade over blobs, layers, images and containers' read-write layers.

    ROOT/oci-layout, index.json, blobs/sha256/…    the OCI image layout (skopeo, umoci)
    ROOT/layers/<chain id>/{layer.json,diff/}       layers, kept by the chosen driver
    ROOT/images/<config digest>.json                image records
    ROOT/containers/<id>/{rwlayer.json,upper,…}     containers' read-write layers

As in containers/storage: an image points at its layers (top last) and its manifest; a
container's layer points at its image. Opening a store reads nothing; every method reads the
few small files it needs. Changes are made under one flock so processes sharing the root
(the engine, a node's agent, the CLI) do not lose each other's tags or layers.
"""

from __future__ import annotations

import dataclasses
import itertools
import os
import stat
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from sandbox.errors import (
    AmbiguousImage,
    BlobUnknown,
    ContainerLayerExists,
    ImageUnknown,
    ImageUsedByContainer,
    InvalidReference,
    LayerInUse,
    StorageError,
)
from sandbox.linux.trace import NULL_TRACER, Tracer
from sandbox.storage import mediatypes as mt
from sandbox.storage.atomic import StoreLock, write_atomic
from sandbox.storage.changes import Change
from sandbox.storage.containers import DRIVER_DIRS, ContainerLayer, ContainerLayerStore, check_container_id
from sandbox.storage.digest import chain_id, check_digest
from sandbox.storage.drivers import DRIVERS, LayerDriver, get_driver
from sandbox.storage.imageconfig import ImageConfig
from sandbox.storage.images import Image, ImageStore
from sandbox.storage.layers import Layer, LayerStore, remove_tree
from sandbox.storage.layout import OciLayout
from sandbox.storage.oci import Descriptor, Index, Manifest
from sandbox.storage.reference import is_digest, normalize_reference
from sandbox.storage.rootfs import RootfsLayout, is_mountpoint, mount_layout, unmount

if TYPE_CHECKING:
    from sandbox.linux.syscalls import Syscalls
    from sandbox.storage.layerimport import KeptBlob


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


class Store:
    def __init__(self, root: Path, driver: str = "overlay", tracer: Tracer = NULL_TRACER,
                 syscalls: Syscalls | None = None) -> None:
        if driver not in DRIVERS:
            raise StorageError(f"unknown storage driver {driver!r}", f"choose one of: {', '.join(DRIVERS)}")
        self.root = Path(root)
        self.driver_name = driver
        self.tracer = tracer
        self._syscalls = syscalls
        self._driver: LayerDriver | None = None
        self._driver_checked = False
        """The marker said this driver once: it is written once and never changed."""
        self.lock = StoreLock(self.root / ".lock")
        self.layout = OciLayout(self.root, self.lock)
        self._layers = LayerStore(self.root / "layers")
        self._images = ImageStore(self.root / "images")
        self._containers = ContainerLayerStore(self.root / "containers")

    # -- plumbing ---------------------------------------------------------------------------

    @property
    def driver(self) -> LayerDriver:
        if self._driver is None:
            self._driver = get_driver(self.driver_name)
        return self._driver

    def _check_driver(self) -> None:
        """Layers made by one driver cannot be used by the other: remember the first."""
        if self._driver_checked:
            return  # every container create would re-read the marker otherwise
        marker = self.root / "layers" / ".driver"
        try:
            used = marker.read_text().strip()
        except FileNotFoundError:
            marker.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(marker, self.driver_name.encode())
            self._driver_checked = True
            return
        if used != self.driver_name:
            raise StorageError(f"the store at {self.root} was made with the {used} driver, "
                               f"not {self.driver_name}",
                               f"open it with driver={used!r}, or use another root")
        self._driver_checked = True

    def _empty_dir(self) -> Path:
        empty = self.root / "layers" / ".empty"
        empty.mkdir(mode=0o755, parents=True, exist_ok=True)
        return empty

    def _sys(self) -> Syscalls:
        if self._syscalls is None:
            from sandbox.linux.syscalls import LinuxSyscalls

            self._syscalls = LinuxSyscalls(self.tracer)
        return self._syscalls

    # -- layers -----------------------------------------------------------------------------

    def layer(self, layer_id: str) -> Layer:
        return self._layers.get(layer_id)

    def layers(self) -> list[Layer]:
        return self._layers.all()

    def layer_chain(self, layer_id: str | None) -> list[Layer]:
        """A layer and those beneath it, bottom first."""
        return self._layers.chain(layer_id)

    def import_layer_tar(self, src: Path | str | BinaryIO, parent: Layer | str | None = None,
                         expected_diff_id: str | None = None, expected_blob: str | None = None,
                         kept: KeptBlob | None = None) -> Layer:
        """Apply a layer tarball (plain or gzip) on top of ``parent`` and keep it as a blob
        (unless ``kept`` says the caller stores the blob itself).

        Returns the existing layer if the same diff was already imported on that parent."""
        from sandbox.storage.layerimport import read_layer

        if isinstance(src, (str, Path)):
            with open(src, "rb") as f:
                return self.import_layer_tar(f, parent, expected_diff_id, expected_blob, kept)
        parent_layer = self._layers.get(parent) if isinstance(parent, str) else parent
        self._check_driver()
        lowers: list[Path] = []
        if parent_layer is not None and self.driver.whiteouts == "overlay":
            lowers = [self._layers.diff_of(x.id) for x in reversed(self._layers.chain(parent_layer.id))]
        tmp = self._layers.new_tmp()
        try:
            self.driver.prepare_layer(tmp / "diff", parent_layer.diff if parent_layer else None)
            read = read_layer(src, self.layout, tmp / "diff", self.driver.whiteouts, lowers,
                              expected_diff_id, expected_blob, kept)
            layer_id = chain_id(parent_layer.id if parent_layer else None, read.diff_id)
            final = self._layers.path_of(layer_id)
            layer = Layer(id=layer_id, parent=parent_layer.id if parent_layer else None, diff_id=read.diff_id,
                          size=read.size, blob_digest=read.blob_digest, blob_media_type=read.media_type,
                          blob_size=read.blob_size, created=_now(), entries=read.entries, path=final)
            self._layers.write_record(tmp, layer)
            with self.lock:
                if self._layers.exists(layer_id):
                    remove_tree(tmp)
                    existing = self._layers.get(layer_id)
                    self.tracer.emit("storage.layer.exists", layer=layer_id)
                    return existing
                if final.exists():
                    remove_tree(final)  # a leftover without its record: never completed
                os.chmod(tmp, 0o755)
                os.rename(tmp, final)
        except BaseException:
            if tmp.exists():
                remove_tree(tmp)
            raise
        self.tracer.emit("storage.layer.import", layer=layer_id, diff_id=read.diff_id, entries=read.entries,
                         driver=self.driver_name)
        return layer

    def remove_layer(self, layer_id: str) -> None:
        with self.lock:
            layer = self._layers.get(layer_id)
            user = self._layer_user(layer.id)
            if user is not None:
                raise LayerInUse(layer.id, user)
            self._layers.remove(layer.id)
        self.tracer.emit("storage.layer.remove", layer=layer.id)

    def _layer_user(self, layer_id: str, ignore_image: str | None = None) -> str | None:
        for child in self._layers.children(layer_id):
            return f"layer {child.id}"
        for image in self._images.all():
            if image.id != ignore_image and layer_id in image.layers:
                return f"image {image.id}"
        for record in self._containers.all():
            if record.top_layer == layer_id:
                return f"container {record.container_id}"
        return None

    # -- images -----------------------------------------------------------------------------

    def create_image(self, layers: Sequence[Layer], config: ImageConfig, tags: Iterable[str] = ()) -> Image:
        """Write the config and manifest of an image made of ``layers`` (bottom first)."""
        for below, above in itertools.pairwise(layers):
            if above.parent != below.id:
                raise StorageError(f"layer {above.id} does not sit on {below.id}",
                                   "pass the layers bottom first, each on the one before")
        if layers and layers[0].parent is not None:
            raise StorageError(f"the bottom layer {layers[0].id} has a parent; pass the whole chain")
        for layer in layers:
            if not self.layout.has_blob(layer.blob_digest):
                raise BlobUnknown(layer.blob_digest)
        config = dataclasses.replace(config, diff_ids=[x.diff_id for x in layers])
        config_digest, config_size = self.layout.put_bytes(config.to_json())
        manifest = Manifest(
            config=Descriptor(mt.CONFIG, config_digest, config_size),
            layers=[Descriptor(x.blob_media_type, x.blob_digest, x.blob_size) for x in layers])
        manifest_bytes = manifest.to_json()
        manifest_digest, manifest_size = self.layout.put_bytes(manifest_bytes)
        image = Image(id=config_digest, manifest_digest=manifest_digest, manifest_size=manifest_size,
                      manifest_media_type=mt.MANIFEST, layers=[x.id for x in layers],
                      blobs=[config_digest] + [x.blob_digest for x in layers], created=config.created,
                      size=sum(x.size for x in layers))
        return self.record_image(image, tags)

    def record_image(self, image: Image, tags: Iterable[str]) -> Image:
        """Record an image whose blobs and layers are already in the store, and tag it."""
        names = [self._tag_name(t) for t in tags]
        with self.lock:
            self._images.write(image)

            def change(index: Index) -> None:
                for name in names:
                    index.manifests = [d for d in index.manifests if d.ref_name != name]
                    index.manifests.append(self._descriptor(image, name))
                self._root_untagged(index)

            self.layout.update_index(change)
        self.tracer.emit("storage.image.create", image=image.id, tags=names)
        return self.image(image.id)

    @staticmethod
    def _tag_name(ref: str) -> str:
        r = normalize_reference(ref)
        if r.tagged is None:
            raise InvalidReference(ref, "a tag is needed here, not only a digest")
        return r.tagged

    @staticmethod
    def _descriptor(image: Image, name: str | None) -> Descriptor:
        return Descriptor(image.manifest_media_type, image.manifest_digest, image.manifest_size,
                          annotations={mt.REF_NAME: name} if name else {})

    def _root_untagged(self, index: Index) -> None:
        """Every image keeps at least one index entry (untagged if need be), so tools that
        clean a layout by what index.json reaches (``umoci gc``) keep its blobs; and an
        image that has a tag has no untagged entry."""
        tagged = {d.digest for d in index.manifests if d.ref_name}
        index.manifests = [d for d in index.manifests if d.ref_name or d.digest not in tagged]
        present = {d.digest for d in index.manifests}
        for image in self._images.all():
            if image.manifest_digest not in present:
                index.manifests.append(self._descriptor(image, None))
                present.add(image.manifest_digest)

    def _with_tags(self, image: Image, index: Index | None = None) -> Image:
        index = index or self.layout.index()
        image.tags = sorted(d.ref_name for d in index.manifests
                            if d.ref_name and d.digest == image.manifest_digest)
        return image

    def image(self, ref: str) -> Image:
        """Find an image by tag (``busybox``, ``busybox:latest``), by id or manifest digest
        (``sha256:…``), by ``name@sha256:…``, or by a unique prefix of its id."""
        index = self.layout.index()
        if is_digest(ref):
            if self._images.exists(ref):
                return self._with_tags(self._images.get(ref), index)
            found = self._by_manifest(ref)
            if found is not None:
                return self._with_tags(found, index)
            raise ImageUnknown(ref)
        try:
            r = normalize_reference(ref)
        except InvalidReference:
            r = None
        if r is not None:
            if r.digest:
                found = self._by_manifest(r.digest)
                if found is not None:
                    return self._with_tags(found, index)
            elif r.tagged:
                desc = index.find(r.tagged)
                if desc is not None:
                    found = self._by_manifest(desc.digest)
                    if found is not None:
                        return self._with_tags(found, index)
                    # A tag another tool (skopeo, umoci) wrote into our layout: adopt the
                    # image, applying its layers from the blobs already here.
                    return self.import_from_layout(self.root, r.tagged)
        prefix = ref.removeprefix("sha256:")
        if prefix and len(prefix) <= 64 and all(c in "0123456789abcdef" for c in prefix):
            matches = [i for i in self._images.ids() if i[7:].startswith(prefix)]
            if len(matches) == 1:
                return self._with_tags(self._images.get(matches[0]), index)
            if len(matches) > 1:
                raise AmbiguousImage(prefix, matches)
        raise ImageUnknown(ref)

    def _image_untagged(self, ref: str) -> Image:
        """``image(ref)`` without its tags, for callers that need only its layers: an image id
        (what a container's record keeps) is its record, read without index.json."""
        if is_digest(ref):
            try:
                return self._images.get(ref)
            except ImageUnknown:
                pass  # a manifest digest, or an unknown one: image() says which
        return self.image(ref)

    def _by_manifest(self, digest: str) -> Image | None:
        for image in self._images.all():
            if image.manifest_digest == digest:
                return image
        return None

    def images(self) -> list[Image]:
        index = self.layout.index()
        out = [self._with_tags(i, index) for i in self._images.all()]
        return sorted(out, key=lambda i: (i.created or "", i.id), reverse=True)

    def image_config(self, image: Image | str) -> ImageConfig:
        img = self.image(image) if isinstance(image, str) else image
        return ImageConfig.from_json(self.layout.read_blob(img.id, what="image config"))

    def manifest(self, image: Image | str) -> Manifest:
        img = self.image(image) if isinstance(image, str) else image
        return Manifest.from_json(self.layout.read_blob(img.manifest_digest, what="image manifest"))

    def tag(self, image: Image | str, ref: str) -> Image:
        img = self.image(image) if isinstance(image, str) else image
        name = self._tag_name(ref)

        def change(index: Index) -> None:
            index.manifests = [d for d in index.manifests if d.ref_name != name]
            index.manifests.append(self._descriptor(img, name))
            self._root_untagged(index)

        with self.lock:
            self.layout.update_index(change)
        self.tracer.emit("storage.image.tag", image=img.id, tag=name)
        return self.image(img.id)

    def untag(self, ref: str) -> Image:
        """Remove one tag; the image stays (untagged if that was its last tag)."""
        name = self._tag_name(ref)
        with self.lock:
            desc = self.layout.index().find(name)
            if desc is None:
                raise ImageUnknown(ref)
            image = self._by_manifest(desc.digest)

            def change(index: Index) -> None:
                index.manifests = [d for d in index.manifests if d.ref_name != name]
                self._root_untagged(index)

            self.layout.update_index(change)
        self.tracer.emit("storage.image.untag", tag=name)
        if image is None:
            raise ImageUnknown(ref)
        return self.image(image.id)

    def remove_image(self, ref: str) -> Image:
        """Remove an image, all its tags, and the layers and blobs nothing else uses.

        Raises ImageUsedByContainer while a container layer is based on it."""
        with self.lock:
            image = self.image(ref)
            for record in self._containers.all():
                if record.image_id == image.id:
                    raise ImageUsedByContainer(ref, record.container_id)
            self._images.remove(image.id)

            def change(index: Index) -> None:
                index.manifests = [d for d in index.manifests if d.digest != image.manifest_digest]
                self._root_untagged(index)

            index = self.layout.update_index(change)
            for layer_id in reversed(image.layers):
                if self._layer_user(layer_id) is not None:
                    break  # the layers below are in use too
                self._layers.remove(layer_id)
            self._gc_blobs(image, index)
        self.tracer.emit("storage.image.remove", image=image.id, tags=image.tags)
        return image

    def _gc_blobs(self, image: Image, index: Index) -> None:
        keep: set[str] = set()
        for other in self._images.all():
            keep.add(other.manifest_digest)
            keep.update(other.blobs)
        for desc in index.manifests:
            if desc.digest not in keep:
                # Something another tool put in the layout: keep what its manifest names.
                keep.add(desc.digest)
                try:
                    m = Manifest.from_json(self.layout.read_blob(desc.digest))
                    keep.add(m.config.digest)
                    keep.update(x.digest for x in m.layers)
                except StorageError:
                    continue
        for layer in self._layers.all():
            keep.add(layer.blob_digest)
        for digest in [image.manifest_digest, *image.blobs]:
            if digest not in keep:
                self.layout.remove_blob(digest)

    def resolve_path(self, image: Image | str, path: str) -> Path | None:
        """The file that ``path`` inside the image comes from (in some layer's diff)."""
        img = self._image_untagged(image) if isinstance(image, str) else image
        diffs = [self._layers.diff_of(x) for x in reversed(img.layers)]
        return self.driver.lookup(diffs, [p for p in path.split("/") if p])

    def image_rootfs(self, image: Image | str) -> RootfsLayout:
        """A read-only layout of the image's merged layers."""
        img = self.image(image) if isinstance(image, str) else image
        diffs = [self._layers.diff_of(x) for x in reversed(img.layers)]
        return self.driver.image_view(diffs, self._empty_dir())

    def mount_image(self, image: Image | str, target: Path) -> None:
        """Mount the image read-only at ``target`` (needs root)."""
        mount_layout(self.image_rootfs(image), target, readonly=True, sys=self._sys())

    def unmount(self, target: Path) -> None:
        unmount(target, self._sys())

    # -- importing from other layouts -------------------------------------------------------

    def import_from_layout(self, layout_dir: Path, ref: str | None = None,
                           tags: Iterable[str] | None = None) -> Image:
        """Copy an image out of another OCI layout (one skopeo or umoci wrote).

        ``ref`` is the ref.name in that layout (``latest``, ``busybox:latest``); with None,
        the layout must hold exactly one image. The image keeps its manifest digest."""
        from sandbox.storage.importer import import_image

        return import_image(self, Path(layout_dir), ref, tags)

    # -- containers' read-write layers ------------------------------------------------------

    def create_container_layer(self, container_id: str, image: Image | str | None) -> RootfsLayout:
        """Make the read-write layer a container runs on; cheap for the overlay driver (a
        few directories and one small record)."""
        check_container_id(container_id)
        img = self.image(image) if isinstance(image, str) else image
        cdir = self._containers.dir_of(container_id)
        self._check_driver()
        with self.lock:
            try:
                cdir.mkdir()
            except FileExistsError:
                if self._containers.exists(container_id):
                    raise ContainerLayerExists(container_id) from None
                self._remove_driver_dirs(cdir)  # leftovers of an attempt that never wrote its record
            except FileNotFoundError:
                cdir.mkdir(parents=True, exist_ok=True)  # the store's first container
            # else: a directory made just now holds no leftovers to look for
        diffs = [self._layers.diff_of(x) for x in reversed(img.layers)] if img else []
        try:
            layout = self.driver.create_container(cdir, diffs, self._empty_dir())
            record = ContainerLayer(container_id=container_id, image_id=img.id if img else None,
                                    top_layer=img.top_layer if img else None, driver=self.driver_name,
                                    layout=layout, created=_now())
            self._containers.write(record)
        except BaseException:
            self._remove_driver_dirs(cdir)
            raise
        self.tracer.emit("storage.container.create", container=container_id, kind=layout.kind,
                         image=img.id if img else None)
        return layout

    def container_layer(self, container_id: str) -> ContainerLayer:
        return self._containers.get(container_id)

    def container_layers(self) -> list[ContainerLayer]:
        return self._containers.all()

    def container_rootfs(self, container_id: str) -> RootfsLayout:
        return self._containers.get(container_id).layout

    def _container_diffs(self, record: ContainerLayer) -> list[Path]:
        empty = self.root / "layers" / ".empty"
        return [p for p in record.layout.lowerdirs if p != empty] if record.layout.kind == "overlay" else \
            ([self._layers.diff_of(record.top_layer)] if record.top_layer else [])

    def diff_container(self, container_id: str) -> list[Change]:
        record = self._containers.get(container_id)
        return self.driver.changes(record.layout, self._container_diffs(record))

    def export_container_layer_tar(self, container_id: str, out: BinaryIO) -> None:
        """The container's changes as an OCI layer tar (``docker commit``, ``docker diff``)."""
        record = self._containers.get(container_id)
        self.driver.export(record.layout, self._container_diffs(record), out)

    def mount_container(self, container_id: str) -> Path:
        """The container's merged root on the host: mounted at ``merged/`` for overlay (needs
        root), the directory itself for copy."""
        layout = self.container_rootfs(container_id)
        assert layout.path is not None
        if layout.kind == "overlay" and not is_mountpoint(layout.path):
            mount_layout(layout, layout.path, sys=self._sys())
        return layout.path

    def unmount_container(self, container_id: str) -> None:
        layout = self.container_rootfs(container_id)
        if layout.kind == "overlay" and layout.path is not None and is_mountpoint(layout.path):
            unmount(layout.path, self._sys())

    def remove_container_layer(self, container_id: str) -> None:
        record = self._containers.get(container_id)
        cdir = self._containers.dir_of(container_id)
        if record.layout.kind == "overlay" and record.layout.path and is_mountpoint(record.layout.path):
            unmount(record.layout.path, self._sys())
        # Outside the store's lock: the trees are this container's alone (its record still
        # stands, so nothing makes a layer under its id meanwhile), and another container's
        # create must not wait behind their removal. A crash halfway leaves the record, and
        # the next removal finishes the job.
        self._remove_driver_dirs(cdir)
        with self.lock:
            self._containers.remove_record(container_id)
            try:
                cdir.rmdir()  # only if the engine keeps nothing else there
            except OSError:
                pass
        self.tracer.emit("storage.container.remove", container=container_id)

    @staticmethod
    def _remove_driver_dirs(cdir: Path) -> None:
        for name in DRIVER_DIRS:
            path = cdir / name
            try:
                st = os.lstat(path)  # one call answers is_symlink() and exists() both
            except (FileNotFoundError, NotADirectoryError):
                continue
            if stat.S_ISLNK(st.st_mode):
                path.unlink()
                continue
            if is_mountpoint(path):
                raise StorageError(f"{path} is still mounted", "unmount it first")
            remove_tree(path)

    # -- checks -----------------------------------------------------------------------------

    def verify_image(self, image: Image | str) -> None:
        """Re-hash every blob of an image (slow for big layers; DigestMismatch if damaged)."""
        img = self.image(image) if isinstance(image, str) else image
        self.layout.read_blob(img.manifest_digest)
        for digest in img.blobs:
            check_digest(digest)
            self.layout.verify_blob(digest)
