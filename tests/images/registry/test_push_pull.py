"""Push to and pull from a real docker-registry on loopback: digests survive the round trip,
shared layers are not uploaded twice, and the progress stream reads like Docker's."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from sandbox.errors import ImageUnknown, InvalidReference, RegistryNotFound, RegistryUnavailable
from sandbox.images.bootstrap import bootstrap_busybox
from sandbox.images.registry import ProgressEvent, pull, push
from sandbox.images.registry.client import RegistryClient
from sandbox.images.registry.names import registry_for
from sandbox.images.registry.search import search
from sandbox.storage import Image, Store
from tests.images.registry.conftest import RunningRegistry, derived_image

needs_skopeo = pytest.mark.skipif(shutil.which("skopeo") is None, reason="skopeo is not installed")


def test_push_remove_pull_gives_the_same_digest(registry: RunningRegistry, store: Store, busybox: Image) -> None:
    ref = registry.ref("lesson/busybox:1")
    store.tag(busybox, ref)
    result = push(store, ref)
    assert result.digest == busybox.manifest_digest
    assert sorted(result.uploaded) == sorted(busybox.blobs)

    store.remove_image(busybox.id)
    assert store.images() == [] and store.layers() == []

    pulled = pull(store, ref)
    assert pulled.manifest_digest == busybox.manifest_digest
    assert pulled.id == busybox.id
    assert pulled.tags == [ref]
    store.verify_image(pulled)
    assert store.resolve_path(ref, "bin/busybox") is not None


@needs_skopeo
def test_skopeo_sees_the_digest_we_pushed(registry: RunningRegistry, store: Store, busybox: Image) -> None:
    ref = registry.ref("lesson/busybox:1")
    store.tag(busybox, ref)
    result = push(store, ref)
    out = subprocess.run(["skopeo", "inspect", "--tls-verify=false", f"docker://{ref}"], capture_output=True,
                         text=True, timeout=60, check=True).stdout
    assert json.loads(out)["Digest"] == result.digest
    raw = subprocess.run(["skopeo", "inspect", "--raw", "--tls-verify=false", f"docker://{ref}"],
                         capture_output=True, timeout=60, check=True).stdout
    assert raw == store.layout.read_blob(busybox.manifest_digest)


@needs_skopeo
def test_pull_what_skopeo_pushed(registry: RunningRegistry, store: Store, busybox: Image, tmp_path) -> None:
    """skopeo recompresses the layer with gzip on the way up: we read its manifest."""
    ref = registry.ref("from-skopeo:1")
    subprocess.run(["skopeo", "copy", "--dest-tls-verify=false", f"oci:{store.root}:busybox:latest",
                    f"docker://{ref}"], check=True, capture_output=True, timeout=120)
    digest = json.loads(subprocess.run(["skopeo", "inspect", "--tls-verify=false", f"docker://{ref}"],
                                       capture_output=True, text=True, timeout=60, check=True).stdout)["Digest"]
    other = Store(tmp_path / "other", "copy")
    pulled = pull(other, ref)
    assert pulled.manifest_digest == digest != busybox.manifest_digest
    assert pulled.id == busybox.id  # same config, whatever the layer compression
    other.verify_image(pulled)
    # Where the image is already (under its uncompressed manifest) only the tag is new.
    events: list[ProgressEvent] = []
    again = pull(store, ref, progress=events.append)
    assert again.manifest_digest == busybox.manifest_digest and ref in again.tags
    assert events[-1].status == f"Status: Image is up to date for {ref}"
    store.verify_image("busybox:latest")


@needs_skopeo
def test_pull_a_layer_we_have_under_another_compression(registry: RunningRegistry, store: Store,
                                                        busybox: Image, tmp_path) -> None:
    """skopeo pushes busybox's layer gzip-compressed; a store that has the layer uncompressed
    keeps its files and adds the registry's blob, so the pulled image verifies and pushes back
    with the registry's digest."""
    derived = derived_image(store, busybox, "app:1", {"app/x": b"x"})
    ref = registry.ref("app:1")
    subprocess.run(["skopeo", "copy", "--dest-tls-verify=false", f"oci:{store.root}:app:1", f"docker://{ref}"],
                   check=True, capture_output=True, timeout=120)
    other = Store(tmp_path / "other", "copy")
    local_base = bootstrap_busybox(other)
    pulled = pull(other, ref)
    assert pulled.id == derived.id
    assert pulled.layers[0] == local_base.layers[0]  # the same layer, not applied twice
    assert pulled.blobs[1] != local_base.blobs[1]  # but the registry's (gzip) blob of it
    other.verify_image(pulled)
    store.remove_image(derived.id)
    assert push(other, ref).digest == pulled.manifest_digest


def test_shared_layers_are_uploaded_once(registry: RunningRegistry, store: Store, busybox: Image) -> None:
    first = registry.ref("app:1")
    store.tag(busybox, first)
    push(store, first)
    registry.wait_for_request("PUT", "/manifests/1")
    assert sorted(registry.uploads()) == sorted(busybox.blobs)

    derived = derived_image(store, busybox, registry.ref("app:2"), {"app/hello.txt": b"hello\n"})
    new_blobs = [b for b in derived.blobs if b not in busybox.blobs]
    assert len(new_blobs) == 2  # the new layer and the new config
    result = push(store, registry.ref("app:2"))
    registry.wait_for_request("PUT", "/manifests/2")
    assert sorted(registry.uploads()) == sorted(busybox.blobs + new_blobs)
    assert busybox.blobs[1] in result.existing
    assert sorted(result.uploaded) == sorted(new_blobs)


def test_another_repository_mounts_the_base_layer(registry: RunningRegistry, store: Store, busybox: Image) -> None:
    store.tag(busybox, registry.ref("base:1"))
    push(store, registry.ref("base:1"))
    derived = derived_image(store, busybox, registry.ref("other:1"), {"x": b"x"})
    result = push(store, registry.ref("other:1"), mount_from=["base"])
    registry.wait_for_request("PUT", "/other/manifests/1")
    base_layer = busybox.blobs[1]
    assert result.mounted == [base_layer]
    assert base_layer not in registry.uploads()[2:]
    assert any(m == "POST" and "mount=" in uri and s == 201 for m, uri, s in registry.requests())
    assert len(registry.uploads()) == 2 + 2  # busybox's two blobs, then the new layer and config
    assert derived.manifest_digest == result.digest


def test_chunked_upload(registry: RunningRegistry, store: Store, busybox: Image) -> None:
    ref = registry.ref("chunked:1")
    store.tag(busybox, ref)
    layer_size = store.layout.blob_size(busybox.blobs[1])
    push(store, ref, chunk_size=512 << 10)
    registry.wait_for_request("PUT", "/manifests/1")
    patches = [uri for m, uri, s in registry.requests() if m == "PATCH" and s == 202]
    assert len(patches) == -(-layer_size // (512 << 10))
    store.remove_image(busybox.id)
    assert pull(store, ref).manifest_digest == busybox.manifest_digest


def test_pull_stream_reads_like_docker(registry: RunningRegistry, store: Store, busybox: Image, tmp_path) -> None:
    ref = registry.ref("stream:7")
    store.tag(busybox, ref)
    pushed: list[ProgressEvent] = []
    push(store, ref, progress=pushed.append)
    layer = busybox.blobs[1].split(":")[1][:12]
    statuses = [(e.id, e.status) for e in pushed]
    assert statuses[0] == (None, f"The push refers to repository [{registry.address}/stream]")
    assert (layer, "Preparing") in statuses and (layer, "Pushed") in statuses
    assert statuses.index((layer, "Preparing")) < statuses.index((layer, "Pushed"))
    assert any(e.status == "Pushing" and e.current and e.total for e in pushed)
    assert pushed[-2].status == f"7: digest: {busybox.manifest_digest} size: {busybox.manifest_size}"
    assert pushed[-1].to_dict()["aux"] == {"Tag": "7", "Digest": busybox.manifest_digest,
                                           "Size": busybox.manifest_size}

    other = Store(tmp_path / "other", "copy")
    pulled: list[dict] = []
    pull(other, ref, progress=lambda e: pulled.append(e.to_dict()))
    assert pulled[0] == {"status": "Pulling from stream", "progressDetail": {}, "id": "7"}
    assert {"status": "Pulling fs layer", "progressDetail": {}, "id": layer} in pulled
    downloading = [m for m in pulled if m.get("status") == "Downloading"]
    assert downloading and downloading[-1]["progressDetail"]["current"] == downloading[-1]["progressDetail"]["total"]
    assert downloading[-1]["progress"].startswith("[=====")
    assert {"status": "Pull complete", "progressDetail": {}, "id": layer} in pulled
    assert pulled[-2] == {"status": f"Digest: {busybox.manifest_digest}"}
    assert pulled[-1] == {"status": f"Status: Downloaded newer image for {ref}"}


def test_pull_again_is_up_to_date(registry: RunningRegistry, store: Store, busybox: Image) -> None:
    ref = registry.ref("again:1")
    store.tag(busybox, ref)
    push(store, ref)
    events: list[ProgressEvent] = []
    image = pull(store, ref, progress=events.append)
    assert image.manifest_digest == busybox.manifest_digest
    assert events[-1].status == f"Status: Image is up to date for {ref}"
    registry.wait_for_request("GET", "/again/manifests/1")
    assert not any(m == "GET" and "/blobs/sha256" in uri and busybox.blobs[1] in uri
                   for m, uri, _ in registry.requests())


def test_pull_by_digest_makes_no_tag(registry: RunningRegistry, store: Store, busybox: Image, tmp_path) -> None:
    ref = registry.ref("bydigest:1")
    store.tag(busybox, ref)
    push(store, ref)
    other = Store(tmp_path / "other", "copy")
    image = pull(other, f"{registry.address}/bydigest@{busybox.manifest_digest}")
    assert image.manifest_digest == busybox.manifest_digest and image.tags == []


def test_pull_of_a_missing_tag_names_it(registry: RunningRegistry, store: Store) -> None:
    with pytest.raises(RegistryNotFound) as e:
        pull(store, registry.ref("nothing:here"))
    assert f"manifest for {registry.address}/nothing:here not found" in str(e.value)
    assert store.images() == []


def test_push_of_a_missing_local_image(registry: RunningRegistry, store: Store) -> None:
    with pytest.raises(ImageUnknown):
        push(store, registry.ref("nope:1"))
    with pytest.raises(InvalidReference):
        push(store, f"{registry.address}/x@sha256:" + "a" * 64)
    assert registry.requests() == [("GET", "/v2/", 200)]  # only the fixture's readiness probe


def test_a_registry_that_is_not_there(store: Store, busybox: Image) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound but not listening: connections are refused
        ref = f"127.0.0.1:{port}/x:1"
        store.tag(busybox, ref)
        with pytest.raises(RegistryUnavailable) as e:
            push(store, ref)
        assert "connection refused" in str(e.value)
        with pytest.raises(RegistryUnavailable):
            pull(store, ref)


def test_catalog_tags_and_search(registry: RunningRegistry, store: Store, busybox: Image) -> None:
    for ref in ("lessons/busybox:1", "lessons/busybox:2", "tools/box:1"):
        store.tag(busybox, registry.ref(ref))
        push(store, registry.ref(ref))
    with RegistryClient(registry_for(registry.address)) as client:
        assert client.catalog(page_size=1) == ["lessons/busybox", "tools/box"]  # two pages, Link-followed
        assert sorted(client.tags("lessons/busybox")) == ["1", "2"]
    found = search(f"{registry.address}/busy", with_tags=True)
    assert [(r.name, r.tags) for r in found] == [(f"{registry.address}/lessons/busybox", ["1", "2"])]
    assert [r.name for r in search(f"{registry.address}/box")] == [f"{registry.address}/lessons/busybox",
                                                                  f"{registry.address}/tools/box"]
    assert search(f"{registry.address}/zzz") == []
