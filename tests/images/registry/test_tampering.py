"""A registry that serves altered bytes: every such pull is refused with DigestMismatch and
leaves nothing in the store (no image, no layer, no blob)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox.errors import DigestMismatch
from sandbox.images.registry import pull, push
from sandbox.storage import Image, Store
from tests.images.registry.conftest import RunningRegistry, derived_image


def _flip_middle_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def _assert_empty(store: Store) -> None:
    assert store.images() == []
    assert store.layers() == []
    assert store.layout.blobs() == []


@pytest.fixture
def fresh(tmp_path: Path) -> Store:
    return Store(tmp_path / "fresh", "copy")


def test_tampered_layer_is_refused(registry: RunningRegistry, store: Store, busybox: Image, fresh: Store) -> None:
    ref = registry.ref("t:1")
    store.tag(busybox, ref)
    push(store, ref)
    layer = busybox.blobs[1]
    _flip_middle_byte(registry.blob_data(layer))
    with pytest.raises(DigestMismatch) as e:
        pull(fresh, ref)
    assert e.value.expected == layer and e.value.actual != layer
    _assert_empty(fresh)


def test_tampered_gzip_layer_is_refused_as_a_digest_mismatch(registry: RunningRegistry, store: Store,
                                                              busybox: Image, fresh: Store) -> None:
    """Altered gzip data usually breaks decompression before the end: the pull still names
    the real cause, a blob that is not what its digest says."""
    derived = derived_image(store, busybox, registry.ref("gz:1"), {"data.txt": b"some text\n" * 5000})
    push(store, registry.ref("gz:1"))
    layer = derived.blobs[2]
    _flip_middle_byte(registry.blob_data(layer))
    with pytest.raises(DigestMismatch) as e:
        pull(fresh, registry.ref("gz:1"))
    assert e.value.expected == layer
    _assert_empty(fresh)  # busybox's layer was pulled first and is gone again


def test_tampered_config_is_refused(registry: RunningRegistry, store: Store, busybox: Image, fresh: Store) -> None:
    ref = registry.ref("cfg:1")
    store.tag(busybox, ref)
    push(store, ref)
    path = registry.blob_data(busybox.id)
    path.write_bytes(path.read_bytes().replace(b'"sh"', b'"ls"'))
    with pytest.raises(DigestMismatch) as e:
        pull(fresh, ref)
    assert e.value.expected == busybox.id
    _assert_empty(fresh)


def test_tampered_manifest_is_refused(registry: RunningRegistry, store: Store, busybox: Image, fresh: Store) -> None:
    ref = registry.ref("man:1")
    store.tag(busybox, ref)
    push(store, ref)
    path = registry.blob_data(busybox.manifest_digest)
    path.write_bytes(path.read_bytes().replace(b'"schemaVersion":2', b'"schemaVersion": 2'))
    with pytest.raises(DigestMismatch) as e:
        pull(fresh, ref)
    assert e.value.expected == busybox.manifest_digest
    _assert_empty(fresh)
