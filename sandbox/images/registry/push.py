"""``docker push``: publish a stored image to a registry, exactly as it is stored.

The manifest, config and layer blobs go up byte for byte (no recompression), so the
registry's manifest digest is the local one and pulling it back gives the same image.
A blob the repository already has is skipped after a HEAD ("Layer already exists"); one
another repository of the registry has can be mounted instead of uploaded. Only reads
touch the store, so a registry that goes away mid-push cannot damage local state.

The HEADs go first, one by one (the first also settles authentication); the missing
layers are then uploaded a few at a time, as dockerd and skopeo do: the registry hashes
and stores one blob while the next is on the wire. The config and the manifest go last.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import BinaryIO

from sandbox.errors import InvalidReference, RegistryUnauthorized
from sandbox.images.registry.auth import push_scope
from sandbox.images.registry.client import RegistryClient
from sandbox.images.registry.credentials import Auth, resolve_credential
from sandbox.images.registry.names import DOCKER_HUB, RemoteReference, parse_remote
from sandbox.images.registry.progress import ProgressCallback, ProgressEvent, short_id
from sandbox.images.registry.transport import Transport
from sandbox.storage import Store
from sandbox.storage.oci import Descriptor, Manifest

# Report upload progress about every 1 % of a layer, but not more often than every 256 KiB.
_MIN_STEP = 256 << 10
# Layers uploading at once (dockerd's default max-concurrent-uploads is 5).
_PARALLEL = 3


@dataclass
class PushResult:
    reference: str
    """``127.0.0.1:5000/x:latest``"""
    digest: str
    size: int
    """The manifest's size in bytes."""
    uploaded: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)
    mounted: list[str] = field(default_factory=list)


def _ignore(_: ProgressEvent) -> None:
    pass


class _Push:
    def __init__(self, store: Store, client: RegistryClient, remote: RemoteReference, emit: ProgressCallback,
                 chunk_size: int | None, mount_from: list[str]) -> None:
        self.store = store
        self.client = client
        self.remote = remote
        lock = threading.Lock()

        def locked_emit(event: ProgressEvent) -> None:
            # Uploads report from their own threads; a renderer sees one event at a time.
            with lock:
                emit(event)

        self.emit = locked_emit
        self.chunk_size = chunk_size
        self.mount_from = mount_from
        self.result = PushResult(reference=str(remote), digest="", size=0)

    def run(self) -> PushResult:
        remote = self.remote
        assert remote.tag is not None and remote.local_tag is not None
        image = self.store.image(remote.local_tag)
        manifest_bytes = self.store.layout.read_blob(image.manifest_digest, what="image manifest")
        manifest = Manifest.from_json(manifest_bytes)
        self.emit(ProgressEvent(f"The push refers to repository [{self._full_name()}]"))
        layers = list(reversed(manifest.layers))  # top first, as Docker lists them
        for desc in layers:
            self.emit(ProgressEvent("Preparing", id=short_id(desc.digest)))
        try:
            self._layers(layers)
            self._blob(manifest.config, show=False)
            digest = self.client.put_manifest(remote.repository, remote.tag, manifest_bytes,
                                              image.manifest_media_type)
        except RegistryUnauthorized as e:
            if e.http_status != 403:
                raise  # 401: not logged in, or a wrong password; the message says which
            raise RegistryUnauthorized(e.registry, f"denied: requested access to the resource is denied "
                                                   f"({e.detail})", e.http_status, e.code,
                                       f"can this user push to {remote.name}? docker login {e.registry}",
                                       e.detail) from e
        self.result.digest, self.result.size = digest, len(manifest_bytes)
        self.emit(ProgressEvent(f"{remote.tag}: digest: {digest} size: {len(manifest_bytes)}"))
        self.emit(ProgressEvent("", aux={"Tag": remote.tag, "Digest": digest, "Size": len(manifest_bytes)}))
        return self.result

    def _full_name(self) -> str:
        reg = self.remote.registry
        return f"{DOCKER_HUB}/{self.remote.repository}" if reg.is_docker_hub else self.remote.name

    def _layers(self, layers: list[Descriptor]) -> None:
        missing: list[Descriptor] = []
        for desc in layers:
            if self._exists(desc, show=True):
                continue
            if desc.digest not in (d.digest for d in missing):
                missing.append(desc)
        if len(missing) <= 1:
            for desc in missing:
                self._send(desc, show=True)
            return
        with ThreadPoolExecutor(max_workers=_PARALLEL, thread_name_prefix="push") as pool:
            futures = [pool.submit(self._send, desc, True) for desc in missing]
            # In order, so the first failure is the one reported; the pool's exit waits
            # for the uploads already on the wire.
            for f in futures:
                f.result()

    def _exists(self, desc: Descriptor, show: bool) -> bool:
        repo = self.remote.repository
        if not self.client.blob_exists(repo, desc.digest, scope=push_scope(repo)):
            return False
        self.result.existing.append(desc.digest)
        if show:
            self.emit(ProgressEvent("Layer already exists", id=short_id(desc.digest)))
        return True

    def _blob(self, desc: Descriptor, show: bool) -> None:
        if not self._exists(desc, show):
            self._send(desc, show)

    def _send(self, desc: Descriptor, show: bool) -> None:
        repo = self.remote.repository
        ident = short_id(desc.digest)
        location: str | None = None
        for source in self.mount_from:
            location = self.client.start_upload(repo, mount=desc.digest, from_repository=source)
            if location is None:
                self.result.mounted.append(desc.digest)
                if show:
                    self.emit(ProgressEvent(f"Mounted from {source}", id=ident))
                return
        total = desc.size
        step = max(total // 100, _MIN_STEP)
        last = [0]

        def on_progress(count: int) -> None:
            if show and (count - last[0] >= step or count == total):
                last[0] = count
                self.emit(ProgressEvent("Pushing", id=ident, current=count, total=total))

        if show:
            self.emit(ProgressEvent("Pushing", id=ident, current=0, total=total))
        self.client.upload_blob(repo, desc.digest, total, self._opener(desc.digest),
                                chunk_size=self.chunk_size, on_progress=on_progress, location=location)
        self.result.uploaded.append(desc.digest)
        if show:
            self.emit(ProgressEvent("Pushed", id=ident))

    def _opener(self, digest: str) -> Callable[[int], BinaryIO]:
        def open_at(offset: int) -> BinaryIO:
            f = self.store.layout.open_blob(digest)
            f.seek(offset)
            return f
        return open_at


def push(store: Store, ref: str, *, progress: ProgressCallback | None = None, auth: Auth = None,
         transport: Transport | None = None, chunk_size: int | None = None,
         mount_from: Iterable[str] = (), insecure: Iterable[str] = ()) -> PushResult:
    """Push the local image tagged ``ref`` to its registry.

    ``chunk_size`` uploads each blob in PATCH chunks of that many bytes (default: one PUT).
    ``mount_from`` names other repositories of the same registry to mount blobs from.
    Raises ``ImageUnknown`` if there is no such local tag, ``RegistryError`` subclasses for
    the registry's refusals and for a registry that goes away."""
    remote = parse_remote(ref, insecure)
    if remote.digest is not None or remote.tag is None:
        raise InvalidReference(ref, "push needs a tag (name:tag), not a digest")
    credential = resolve_credential(auth, remote.registry)
    sources = [m for m in mount_from if m != remote.repository]
    with RegistryClient(remote.registry, credential, transport) as client:
        return _Push(store, client, remote, progress or _ignore, chunk_size, sources).run()
