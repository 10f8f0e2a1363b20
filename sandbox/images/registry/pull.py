"""``docker pull``: fetch an image from a registry into the store, verifying every byte.

1. The manifest (by tag or digest), its digest checked; from an image index, the entry for
   this machine's platform.
2. The config, verified, which lists the layers' uncompressed digests (diff_ids).
3. Each layer streamed from the socket straight into the store: ``Store.import_layer_tar``
   keeps the compressed bytes as a blob (so pushing the image back gives the same
   manifest digest) while applying the tar; the blob must hash to the manifest's digest
   and its content to the config's diff_id, or it is thrown away. Layers are applied in
   order, but the next few download meanwhile (``prefetch``).
4. Only then the config and manifest are stored and the image is recorded and tagged.

If anything fails, the layers this pull added are removed again: a refused pull records
nothing. Layers already in the store are not downloaded ("Already exists").
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass

from sandbox.errors import (
    DigestMismatch,
    ImageUnknown,
    LayerInUse,
    LayerUnknown,
    RegistryNotFound,
    RegistryProtocolError,
    RegistryUnauthorized,
    StorageError,
)
from sandbox.images.registry.client import FetchedManifest, RegistryClient
from sandbox.images.registry.credentials import Auth, resolve_credential
from sandbox.images.registry.names import RemoteReference, parse_remote
from sandbox.images.registry.platform import Platform, pick_manifest
from sandbox.images.registry.prefetch import BlobPrefetch
from sandbox.images.registry.progress import ProgressCallback, ProgressEvent, short_id
from sandbox.images.registry.transport import Transport
from sandbox.storage import Image, ImageConfig, Layer, Store
from sandbox.storage import mediatypes as mt
from sandbox.storage.digest import chain_id
from sandbox.storage.layerimport import KeptBlob
from sandbox.storage.oci import Descriptor, Manifest

# Report download progress about every 1 % of a layer, but not more often than every 256 KiB.
_MIN_STEP = 256 << 10
# Layers downloading at once: the one being applied and the next ones (as dockerd's 3).
_WINDOW = 3


def _ignore(_: ProgressEvent) -> None:
    pass


@dataclass
class _Planned:
    desc: Descriptor
    diff_id: str
    chain: str
    have_layer: bool
    have_blob: bool

    @property
    def id(self) -> str:
        return short_id(self.desc.digest)


class _Pull:
    def __init__(self, store: Store, client: RegistryClient, remote: RemoteReference,
                 emit: ProgressCallback, platform: Platform) -> None:
        self.store = store
        self.client = client
        self.remote = remote
        lock = threading.Lock()

        def locked_emit(event: ProgressEvent) -> None:
            # Downloads report from their own threads; a renderer sees one event at a time.
            with lock:
                emit(event)

        self.emit = locked_emit
        self.platform = platform
        self.new_layers: list[str] = []
        self.new_blobs: list[str] = []

    def run(self) -> Image:
        remote = self.remote
        self.emit(ProgressEvent(f"Pulling from {remote.repository}", id=remote.tag or remote.digest))
        requested = self._manifest(remote.reference)
        fetched = requested
        if fetched.media_type in mt.INDEXES:
            entry = pick_manifest(fetched.data, self.platform, self.client.registry.name, str(remote))
            fetched = self._manifest(str(entry.get("digest")))
        if fetched.media_type not in mt.MANIFESTS:
            raise RegistryProtocolError(self.client.registry.name,
                                        f"{remote}: unsupported manifest media type {fetched.media_type!r}")
        manifest = Manifest.from_json(fetched.data)
        config_bytes = self.client.get_blob(remote.repository, manifest.config.digest, manifest.config.size,
                                            "image config")
        config = ImageConfig.from_json(config_bytes)
        plan = self._plan(manifest, config)

        existing = self._existing(fetched.digest) or self._same_config(manifest.config.digest)
        if existing is not None:
            # The same image is here already, perhaps under another manifest (other layer
            # compression, from a load): its files are these, so only the tag is new. An
            # image is named by its config, and the store keeps one manifest per image.
            return self._finish_existing(existing, requested.digest)

        for p in plan:
            self.emit(ProgressEvent("Already exists" if p.have_layer and p.have_blob else "Pulling fs layer",
                                    id=p.id))
        try:
            layers = self._fetch_layers(plan)
            self.store.layout.put_bytes(config_bytes)
            self.store.layout.put_bytes(fetched.data)
            image = Image(id=manifest.config.digest, manifest_digest=fetched.digest,
                          manifest_size=len(fetched.data), manifest_media_type=fetched.media_type,
                          layers=[x.id for x in layers],
                          blobs=[manifest.config.digest] + [x.digest for x in manifest.layers],
                          created=config.created, size=sum(x.size for x in layers))
            tags = [remote.local_tag] if remote.local_tag else []
            image = self.store.record_image(image, tags)
        except BaseException:
            self._undo()
            raise
        self.emit(ProgressEvent(f"Digest: {requested.digest}"))
        self.emit(ProgressEvent(f"Status: Downloaded newer image for {remote}"))
        return image

    # -- steps ------------------------------------------------------------------------------

    def _manifest(self, reference: str) -> FetchedManifest:
        remote = self.remote
        try:
            return self.client.get_manifest(remote.repository, reference)
        except RegistryUnauthorized as e:
            raise RegistryUnauthorized(e.registry, f"pull access denied for {remote.name}, repository does "
                                                   f"not exist or may require 'docker login': {e.detail}",
                                       e.http_status, e.code, e.hint, e.detail) from e
        except RegistryNotFound as e:
            raise RegistryNotFound(e.registry, f"manifest for {remote} not found: {e.detail}", 404, e.code,
                                   "check the name and tag (the registry's catalog: docker search)",
                                   e.detail) from e

    def _plan(self, manifest: Manifest, config: ImageConfig) -> list[_Planned]:
        if len(config.diff_ids) != len(manifest.layers):
            raise StorageError(f"{self.remote}: the manifest has {len(manifest.layers)} layers but the config "
                               f"{len(config.diff_ids)} diff_ids")
        plan: list[_Planned] = []
        parent: str | None = None
        for desc, diff_id in zip(manifest.layers, config.diff_ids):
            if desc.media_type not in mt.LAYERS:
                raise StorageError(f"{self.remote}: layer {desc.digest} has media type {desc.media_type}, "
                                   "which this store cannot apply",
                                   "only tar and tar+gzip layers (OCI or Docker) are supported")
            chain = chain_id(parent, diff_id)
            plan.append(_Planned(desc, diff_id, chain, self._has_layer(chain),
                                 self.store.layout.has_blob(desc.digest)))
            parent = chain
        return plan

    @staticmethod
    def _with_parents(plan: list[_Planned]) -> Iterable[tuple[_Planned, str | None]]:
        parent: str | None = None
        for p in plan:
            yield p, parent
            parent = p.chain

    def _has_layer(self, layer_id: str) -> bool:
        try:
            self.store.layer(layer_id)
            return True
        except LayerUnknown:
            return False

    def _existing(self, manifest_digest: str) -> Image | None:
        try:
            image = self.store.image(manifest_digest)
        except ImageUnknown:
            return None
        return image if image.manifest_digest == manifest_digest else None

    def _same_config(self, config_digest: str) -> Image | None:
        try:
            image = self.store.image(config_digest)
        except ImageUnknown:
            return None
        return image if image.id == config_digest else None

    def _finish_existing(self, image: Image, digest: str) -> Image:
        if self.remote.local_tag and self.remote.local_tag not in image.tags:
            image = self.store.tag(image, self.remote.local_tag)
        self.emit(ProgressEvent(f"Digest: {digest}"))
        self.emit(ProgressEvent(f"Status: Image is up to date for {self.remote}"))
        return image

    def _fetch_layers(self, plan: list[_Planned]) -> list[Layer]:
        wanted = [i for i, p in enumerate(plan) if not (p.have_layer and p.have_blob)]
        downloads: dict[int, BlobPrefetch] = {}
        layers: list[Layer] = []
        try:
            for i, (p, parent) in enumerate(self._with_parents(plan)):
                if i not in wanted:
                    layers.append(self.store.layer(p.chain))
                    continue
                at = wanted.index(i)
                for j in wanted[at:at + _WINDOW]:
                    if j not in downloads:
                        downloads[j] = self._download(plan[j]).start()
                layers.append(self._fetch_layer(p, parent, downloads[i]))
        finally:
            for d in downloads.values():
                d.close()
        return layers

    def _download(self, p: _Planned) -> BlobPrefetch:
        total = p.desc.size
        step = max(total // 100, _MIN_STEP)
        last = [0]

        def on_read(count: int) -> None:
            if count - last[0] >= step or count == total:
                last[0] = count
                self.emit(ProgressEvent("Downloading", id=p.id, current=count, total=total))

        if not p.have_blob:
            # Listed before it exists: if the pull fails, _undo removes it whatever stage
            # the download thread reached.
            self.new_blobs.append(p.desc.digest)
        return BlobPrefetch(self.client, self.store.layout, self.remote.repository, p.desc.digest, total,
                            on_read, decode=not p.have_layer)

    def _fetch_layer(self, p: _Planned, parent: str | None, reader: BlobPrefetch) -> Layer:
        try:
            if p.have_layer:
                # The layer is here (from another image or a load) but not this blob of it:
                # the download stores it.
                reader.drain()
                layer = self.store.layer(p.chain)
            else:
                # The download thread stores the blob and checks its digest; the diff_id,
                # which the config names, is checked here.
                layer = self.store.import_layer_tar(reader, parent=parent,  # type: ignore[arg-type]
                                                    expected_diff_id=p.diff_id,
                                                    kept=KeptBlob(p.desc.digest, p.desc.size,
                                                                  _layer_media_type(p.desc)))
                self.new_layers.append(layer.id)
        except StorageError as e:
            # Tampered bytes may break gzip or tar before the digest can be compared:
            # read the rest (bounded by the descriptor's size) and name the real cause.
            if not isinstance(e, DigestMismatch) or e.expected != p.desc.digest:
                reader.drain()
                if reader.actual != p.desc.digest:
                    raise DigestMismatch(p.desc.digest, reader.actual, "layer blob") from e
            raise
        self.emit(ProgressEvent("Verifying Checksum", id=p.id))
        self.emit(ProgressEvent("Download complete", id=p.id))
        self.emit(ProgressEvent("Pull complete", id=p.id))
        return layer

    def _undo(self) -> None:
        """Remove what this pull added, newest first, so a failed pull leaves no trace."""
        for layer_id in reversed(self.new_layers):
            try:
                self.store.remove_layer(layer_id)
            except (LayerInUse, LayerUnknown):
                continue  # someone else started using it meanwhile: it stays
        used = {layer.blob_digest for layer in self.store.layers()}
        for image in self.store.images():
            used.update(image.blobs)
        for digest in self.new_blobs:
            if digest not in used:
                self.store.layout.remove_blob(digest)


def _layer_media_type(desc: Descriptor) -> str:
    """How the store records the blob: OCI's names, whether the manifest used Docker's."""
    return mt.LAYER_GZIP if desc.media_type.endswith("gzip") else mt.LAYER_TAR


def pull(store: Store, ref: str, *, progress: ProgressCallback | None = None, auth: Auth = None,
         transport: Transport | None = None, platform: str | None = None,
         insecure: Iterable[str] = ()) -> Image:
    """Pull ``ref`` (``busybox``, ``127.0.0.1:5000/x:1``, ``me/app@sha256:…``) into ``store``.

    ``auth`` is a ``Credential``, a ``DockerConfig`` to look the registry up in, or None.
    ``progress`` receives Docker-style progress events. Raises ``RegistryError`` subclasses
    for the registry's refusals, ``DigestMismatch`` for content that is not what it claims."""
    remote = parse_remote(ref, insecure)
    credential = resolve_credential(auth, remote.registry)
    with RegistryClient(remote.registry, credential, transport) as client:
        return _Pull(store, client, remote, progress or _ignore, Platform.parse(platform)).run()
