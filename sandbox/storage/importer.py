"""Bring an image from another OCI image layout (skopeo's, umoci's) into the store.

The manifest and config are copied byte for byte, so the image keeps its digests; each
layer blob is streamed through the layer reader, which stores it, checks that it hashes to
what the manifest says and that its content hashes to the config's diff_id.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from sandbox.errors import ImageUnknown, LayerUnknown, StorageError
from sandbox.storage import mediatypes as mt
from sandbox.storage.digest import chain_id
from sandbox.storage.imageconfig import ImageConfig
from sandbox.storage.images import Image
from sandbox.storage.layout import OciLayout
from sandbox.storage.oci import Descriptor, Manifest
from sandbox.storage.reference import normalize_reference

if TYPE_CHECKING:
    from sandbox.storage.layers import Layer
    from sandbox.storage.store import Store

_GOARCH = {"x86_64": "amd64", "aarch64": "arm64", "armv7l": "arm", "i686": "386", "ppc64le": "ppc64le",
           "s390x": "s390x", "riscv64": "riscv64"}


def host_arch() -> str:
    machine = os.uname().machine
    return _GOARCH.get(machine, machine)


def _find(src: OciLayout, ref: str | None) -> Descriptor:
    index = src.index()
    if ref is None:
        if len(index.manifests) != 1:
            names = [d.ref_name or d.digest for d in index.manifests]
            raise StorageError(f"{src.root} holds {len(names)} images; name one of: {', '.join(names)}")
        return index.manifests[0]
    desc = index.find(ref)
    if desc is None:
        try:
            tagged = normalize_reference(ref).tagged
        except StorageError:
            tagged = None
        desc = index.find(tagged) if tagged else None
    if desc is None:
        for d in index.manifests:
            if d.digest == ref:
                return d
        raise ImageUnknown(f"{ref} in {src.root}")
    return desc


def _pick_platform(src: OciLayout, desc: Descriptor) -> Descriptor:
    """An image index (multi-platform) names one manifest per platform: take ours."""
    doc = json.loads(src.read_blob(desc.digest, what="image index"))
    arch = host_arch()
    for entry in doc.get("manifests") or []:
        platform = entry.get("platform") or {}
        if platform.get("os", "linux") == "linux" and platform.get("architecture") == arch:
            return Descriptor.from_dict(entry)
    raise StorageError(f"image index {desc.digest} has no manifest for linux/{arch}")


def import_image(store: Store, layout_dir: Path, ref: str | None, tags: Iterable[str] | None) -> Image:
    src = OciLayout(layout_dir)
    src.check()
    desc = _find(src, ref)
    if desc.media_type in mt.INDEXES:
        desc = _pick_platform(src, desc)
    manifest_bytes = src.read_blob(desc.digest, what="image manifest")
    manifest = Manifest.from_json(manifest_bytes)
    config_bytes = src.read_blob(manifest.config.digest, what="image config")
    config = ImageConfig.from_json(config_bytes)
    if len(config.diff_ids) != len(manifest.layers):
        raise StorageError(f"image {desc.digest}: {len(manifest.layers)} layers but "
                           f"{len(config.diff_ids)} diff_ids in its config")
    for layer_desc in manifest.layers:
        if layer_desc.media_type not in mt.LAYERS:
            raise StorageError(f"layer {layer_desc.digest} has media type {layer_desc.media_type}, "
                               "which this store cannot apply")

    parent: Layer | None = None
    layers: list[Layer] = []
    layer: Layer | None
    for layer_desc, diff_id in zip(manifest.layers, config.diff_ids):
        layer_id = chain_id(parent.id if parent else None, diff_id)
        try:
            layer = store.layer(layer_id)
        except LayerUnknown:
            layer = None
        if layer is not None:
            if not store.layout.has_blob(layer_desc.digest):
                with src.open_blob(layer_desc.digest) as f:
                    store.layout.put_stream(f, expected=layer_desc.digest)
        else:
            with src.open_blob(layer_desc.digest) as f:
                layer = store.import_layer_tar(f, parent=parent, expected_diff_id=diff_id,
                                               expected_blob=layer_desc.digest)
        layers.append(layer)
        parent = layer

    store.layout.put_bytes(config_bytes)
    store.layout.put_bytes(manifest_bytes)
    image = Image(id=manifest.config.digest, manifest_digest=desc.digest, manifest_size=len(manifest_bytes),
                  manifest_media_type=manifest.media_type, layers=[x.id for x in layers],
                  blobs=[manifest.config.digest] + [x.digest for x in manifest.layers],
                  created=config.created,
                  size=sum(x.size for x in layers))
    if tags is None:
        name = ref if ref is not None else desc.ref_name
        tags = [name] if name else []
    return store.record_image(image, tags)
