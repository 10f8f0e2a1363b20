"""The Store facade: lookups, tags, records on disk, failure clean-up, and cheap paths."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest

from sandbox.errors import (
    AmbiguousImage,
    DigestMismatch,
    ImageUnknown,
    InvalidReference,
    StorageError,
)
from sandbox.linux.trace import ListSink, Tracer
from sandbox.storage import ImageConfig, Store
from sandbox.storage import mediatypes as mt
from sandbox.storage.digest import sha256_bytes


@pytest.fixture
def store(tmp_path: Path) -> Store:
    # No whiteouts in these tests' layers, so the overlay driver needs no root here.
    return Store(tmp_path / "store", "overlay")


def make_image(store: Store, tar, tags: list[str], label: str = "x"):  # type: ignore[no-untyped-def]
    layer = store.import_layer_tar(tar().file("f", label.encode()).stream())
    return store.create_image([layer], ImageConfig(labels={"l": label}), tags)


def leftovers(store: Store) -> list[str]:
    return [
        str(p.relative_to(store.root)) for p in store.root.rglob("*") if p.name.startswith((".tmp", ".trash"))
    ]


def test_opening_and_reading_an_empty_store_writes_nothing(tmp_path: Path) -> None:
    store = Store(tmp_path / "none")
    assert store.images() == [] and store.layers() == [] and store.container_layers() == []
    with pytest.raises(ImageUnknown):
        store.image("busybox")
    assert not (tmp_path / "none").exists()


def test_unknown_driver(tmp_path: Path) -> None:
    with pytest.raises(StorageError) as e:
        Store(tmp_path, "zfs")
    assert "overlay" in (e.value.hint or "")


def test_lookups(store: Store, tar) -> None:
    image = make_image(store, tar, ["busybox:latest", "me/app:1"])
    hexid = image.id[7:]
    for ref in (
        "busybox",
        "busybox:latest",
        "docker.io/library/busybox:latest",
        "library/busybox",
        "me/app:1",
        image.id,
        image.manifest_digest,
        f"busybox@{image.manifest_digest}",
        hexid[:12],
        hexid,
        "sha256:" + hexid[:8],
    ):
        assert store.image(ref).id == image.id, ref
    assert store.image("busybox").tags == ["busybox:latest", "me/app:1"]
    for ref in ("busybox:other", "nothere", "sha256:" + "0" * 64, "Bad Ref", "0" * 65):
        with pytest.raises(ImageUnknown):
            store.image(ref)


def test_ambiguous_id_prefix(store: Store, tar) -> None:
    images = [make_image(store, tar, [], label=str(i)) for i in range(17)]  # 17 ids, 16 first digits
    first = [i.id[7] for i in images]
    shared = next(c for c in first if first.count(c) > 1)
    with pytest.raises(AmbiguousImage) as e:
        store.image(shared)
    assert len(e.value.candidates) >= 2


def test_tag_moves_and_untag_keeps_the_image(store: Store, tar) -> None:
    a = make_image(store, tar, ["app:1"], "a")
    b = make_image(store, tar, ["app:2"], "b")
    store.tag(b, "app:1")
    assert store.image("app:1").id == b.id
    assert store.image(a.id).tags == []
    index = store.layout.index()
    # The now untagged image keeps an entry without a name, so its blobs stay reachable.
    assert [d.ref_name for d in index.manifests if d.digest == a.manifest_digest] == [None]
    store.untag("app:2")
    assert store.image(b.id).tags == ["app:1"]
    store.untag("app:1")
    assert store.image(b.id).tags == []
    with pytest.raises(ImageUnknown):
        store.untag("app:1")
    with pytest.raises(InvalidReference):
        store.tag(b, f"app@{b.manifest_digest}")
    assert sorted(i.id for i in store.images()) == sorted([a.id, b.id])


def test_index_entries_are_what_skopeo_expects(store: Store, tar) -> None:
    image = make_image(store, tar, ["docker.io/library/busybox:1.36"])
    raw = json.loads((store.root / "index.json").read_text())
    (entry,) = raw["manifests"]
    assert entry == {
        "mediaType": mt.MANIFEST,
        "digest": image.manifest_digest,
        "size": image.manifest_size,
        "annotations": {mt.REF_NAME: "busybox:1.36"},
    }
    manifest = json.loads(store.layout.read_blob(image.manifest_digest))
    assert manifest["config"]["mediaType"] == mt.CONFIG and manifest["layers"][0]["mediaType"] == mt.LAYER_TAR
    config = store.image_config(image)
    assert config.diff_ids == [store.layer(image.top_layer).diff_id] and config.labels == {"l": "x"}


def test_records_survive_reopening(store: Store, tar) -> None:
    image = make_image(store, tar, ["keep:1"])
    store.create_container_layer("c1", image)
    again = Store(store.root, "overlay")
    assert again.image("keep:1").id == image.id
    assert again.container_rootfs("c1") == store.container_rootfs("c1")
    assert [x.id for x in again.layers()] == image.layers


def test_driver_is_fixed_per_root(store: Store, tar) -> None:
    make_image(store, tar, ["a:1"])
    with pytest.raises(StorageError) as e:
        Store(store.root, "copy").import_layer_tar(tar().file("g").stream())
    assert "overlay" in str(e.value)


def test_create_image_checks_the_chain(store: Store, tar) -> None:
    l1 = store.import_layer_tar(tar().file("a").stream())
    l2 = store.import_layer_tar(tar().file("b").stream(), parent=l1)
    with pytest.raises(StorageError):
        store.create_image([l2, l1], ImageConfig(), [])
    with pytest.raises(StorageError):
        store.create_image([l2], ImageConfig(), [])


def test_failed_import_leaves_nothing(store: Store, tar) -> None:
    good = tar().file("f", b"x").bytes()
    with pytest.raises(DigestMismatch):
        store.import_layer_tar(io.BytesIO(good), expected_diff_id=sha256_bytes(b"other"))
    with pytest.raises(StorageError):
        store.import_layer_tar(io.BytesIO(b"\x1f\x8b" + b"garbage" * 100))
    with pytest.raises(StorageError) as e:
        store.import_layer_tar(io.BytesIO(b"\x28\xb5\x2f\xfd" + b"z" * 100))
    assert "zstd" in str(e.value)
    assert store.layers() == [] and store.layout.blobs() == []
    assert leftovers(store) == []


def test_hostile_layer_leaves_nothing_in_the_store(store: Store, tar) -> None:
    from sandbox.errors import UnsafeArchive

    with pytest.raises(UnsafeArchive):
        store.import_layer_tar(tar().file("ok", b"1").file("../escape", b"x").stream())
    assert store.layers() == [] and store.layout.blobs() == [] and leftovers(store) == []
    assert not (store.root / "escape").exists() and not (store.root / "layers" / "escape").exists()


def test_remove_image_drops_every_tag(store: Store, tar) -> None:
    image = make_image(store, tar, ["a:1", "b:2"])
    removed = store.remove_image("a:1")
    assert removed.tags == ["a:1", "b:2"]
    for ref in ("a:1", "b:2", image.id):
        with pytest.raises(ImageUnknown):
            store.image(ref)


def test_container_layer_is_cheap(store: Store, tar, monkeypatch: pytest.MonkeyPatch) -> None:
    """No tar work, no hashing, no layer records read: a few mkdirs and one small JSON."""
    import hashlib
    import tarfile

    from sandbox.storage.layers import LayerStore

    image = make_image(store, tar, ["cheap:1"])

    def forbidden(*a: object, **k: object) -> None:
        raise AssertionError("expensive call on the container-layer path")

    monkeypatch.setattr(tarfile, "open", forbidden)
    monkeypatch.setattr(hashlib, "sha256", forbidden)
    monkeypatch.setattr(LayerStore, "get", forbidden)
    monkeypatch.setattr(LayerStore, "all", forbidden)
    layout = store.create_container_layer("c1", image)
    assert store.container_rootfs("c1") == layout
    assert layout.lowerdirs == [store.root / "layers" / image.top_layer[7:] / "diff"]


def test_container_on_an_image_without_layers(store: Store) -> None:
    empty = store.create_image([], ImageConfig(), ["scratch:1"])
    layout = store.create_container_layer("c1", empty)
    assert layout.lowerdirs == [store.root / "layers" / ".empty"]
    assert store.diff_container("c1") == []


@pytest.mark.parametrize("bad", ["", "..", "a/b", "../x", "-x", "x" * 200])
def test_bad_container_ids(store: Store, bad: str) -> None:
    with pytest.raises(StorageError):
        store.create_container_layer(bad, None)
    assert not (store.root / "x").exists()


def test_trace_records(tmp_path: Path, tar) -> None:
    sink = ListSink()
    store = Store(tmp_path / "s", "copy", tracer=Tracer(sink))
    image = make_image(store, tar, ["t:1"])
    store.create_container_layer("c1", image)
    store.remove_container_layer("c1")
    store.remove_image("t:1")
    assert sink.ops() == [
        "storage.layer.import",
        "storage.image.create",
        "storage.container.create",
        "storage.container.remove",
        "storage.image.remove",
    ]


def test_container_layer_over_leftovers_of_an_attempt(store: Store, tar) -> None:
    """A directory without a record (a create that died before writing it) is cleaned up,
    whatever the driver's directories hold; the engine's own files there stay."""
    image = make_image(store, tar, ["left:1"])
    cdir = store.root / "containers" / "c1"
    (cdir / "upper" / "etc").mkdir(parents=True)
    (cdir / "upper" / "etc" / "stale").write_text("x")
    (cdir / "merged").mkdir()
    (cdir / "rootfs").symlink_to("/")
    (cdir / "config.v2.json").write_text("{}")
    layout = store.create_container_layer("c1", image)
    assert layout.upperdir is not None and os.listdir(layout.upperdir) == []
    assert not (cdir / "rootfs").exists() and (cdir / "config.v2.json").exists()
    store.remove_container_layer("c1")
    assert sorted(os.listdir(cdir)) == ["config.v2.json"] and leftovers(store) == []


def test_remove_container_layer_takes_full_and_empty_dirs(store: Store, tar) -> None:
    image = make_image(store, tar, ["rm:1"])
    layout = store.create_container_layer("c1", image)
    assert layout.upperdir is not None and layout.workdir is not None
    (layout.upperdir / "etc").mkdir()
    (layout.upperdir / "etc" / "resolv.conf").write_text("")
    (layout.workdir / "work").mkdir(mode=0)
    store.remove_container_layer("c1")
    assert not (store.root / "containers" / "c1").exists() and leftovers(store) == []
    assert store.container_layers() == []


def test_remove_tree(tmp_path: Path) -> None:
    from sandbox.storage.layers import remove_tree

    (tmp_path / "empty").mkdir()
    (tmp_path / "full" / "sub").mkdir(parents=True)
    (tmp_path / "full" / "sub" / "f").write_text("x")
    remove_tree(tmp_path / "empty")
    remove_tree(tmp_path / "full")
    remove_tree(tmp_path / "missing")
    assert os.listdir(tmp_path) == []


def test_driver_marker_is_read_once(store: Store, tar, monkeypatch: pytest.MonkeyPatch) -> None:
    image = make_image(store, tar, ["once:1"])
    reads: list[Path] = []
    real = Path.read_text

    def counting(self: Path, *a: object, **k: object) -> str:
        reads.append(self)
        return real(self, *a, **k)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "read_text", counting)
    store.create_container_layer("c1", image)
    store.create_container_layer("c2", image)
    assert [p for p in reads if p.name == ".driver"] == []
    with pytest.raises(StorageError):
        Store(store.root, "copy").create_container_layer("c3", image)


def test_resolve_path_by_id_reads_no_index(store: Store, tar, monkeypatch: pytest.MonkeyPatch) -> None:
    image = make_image(store, tar, ["res:1"], label="r")

    def forbidden(*a: object, **k: object) -> None:
        raise AssertionError("index.json read for a path lookup by image id")

    found = store.resolve_path(image.id, "f")
    monkeypatch.setattr(type(store.layout), "index", forbidden)
    assert store.resolve_path(image.id, "f") == found
    assert found is not None and found.read_bytes() == b"r"
    monkeypatch.undo()
    assert store.resolve_path(image.manifest_digest, "f") == found  # by manifest digest: the long way
    assert store.resolve_path("res:1", "f") == found
    with pytest.raises(ImageUnknown):
        store.resolve_path("sha256:" + "0" * 64, "f")
