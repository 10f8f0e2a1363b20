"""One suite, run against every layer driver: what a layer stack and a container layer do.

The overlay driver needs root (kernel whiteouts, trusted xattrs, mounts); the copy driver
runs anywhere.
"""

from __future__ import annotations

import io
import os
import shutil
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox.errors import (
    ContainerLayerExists,
    ContainerLayerUnknown,
    ImageUsedByContainer,
    LayerInUse,
    LayerUnknown,
)
from sandbox.storage import Change, ImageConfig, Store
from sandbox.storage.digest import sha256_bytes

DRIVERS = [pytest.param("overlay", marks=pytest.mark.root), "copy"]


@pytest.fixture(params=DRIVERS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "store", request.param)
    try:
        yield s
    finally:
        for record in s.container_layers():
            s.unmount_container(record.container_id)


def read(store: Store, image: str, path: str) -> bytes | None:
    found = store.resolve_path(image, path)
    return None if found is None else found.read_bytes()


def base_image(store: Store, tar) -> str:  # type: ignore[no-untyped-def]
    l1 = store.import_layer_tar(
        tar()
        .dir("etc")
        .file("etc/passwd", b"root\n")
        .file("etc/motd", b"hi\n")
        .dir("var/cache")
        .file("var/cache/a", b"a")
        .file("var/cache/b", b"b")
        .file("bin/tool", b"v1", 0o755)
        .stream()
    )
    l2 = store.import_layer_tar(
        tar().file("bin/tool", b"v2", 0o755).file("usr/share/doc", b"doc").stream(), parent=l1
    )
    store.create_image([l1, l2], ImageConfig(cmd=["sh"]), ["base:1"])
    return "base:1"


def test_layer_from_tar(store: Store, tar) -> None:
    data = tar().dir("etc").file("etc/hostname", b"box\n").symlink("etc/alias", "hostname").bytes()
    layer = store.import_layer_tar(io.BytesIO(data))
    assert layer.diff_id == sha256_bytes(data) == layer.id  # a bottom layer's ChainID is its DiffID
    assert layer.blob_digest == sha256_bytes(data) and store.layout.has_blob(layer.blob_digest)
    assert layer.parent is None and layer.size == len(data)
    assert (layer.diff / "etc" / "hostname").read_bytes() == b"box\n"
    assert os.readlink(layer.diff / "etc" / "alias") == "hostname"
    assert store.layer(layer.id) == layer


def test_gzip_layer_keeps_compressed_blob(store: Store, tar) -> None:
    b = tar().file("f", b"x")
    layer = store.import_layer_tar(io.BytesIO(b.gz()))
    assert layer.blob_digest == sha256_bytes(b.gz()) and layer.blob_media_type.endswith("+gzip")
    assert layer.diff_id == sha256_bytes(b.bytes())


def test_same_layer_twice_is_one_layer(store: Store, tar) -> None:
    first = store.import_layer_tar(tar().file("f", b"x").stream())
    again = store.import_layer_tar(tar().file("f", b"x").stream())
    assert first.id == again.id
    assert len(store.layers()) == 1
    assert not [p for p in (store.root / "layers").iterdir() if p.name.startswith((".tmp", ".trash"))]


def test_stacking(store: Store, tar) -> None:
    image = base_image(store, tar)
    assert read(store, image, "bin/tool") == b"v2"
    assert read(store, image, "etc/passwd") == b"root\n"
    assert read(store, image, "usr/share/doc") == b"doc"
    chain = store.layer_chain(store.image(image).top_layer)
    assert [x.parent for x in chain] == [None, chain[0].id]


def test_whiteouts_delete_lower_files(store: Store, tar) -> None:
    base = store.image(base_image(store, tar))
    top = store.layer(base.top_layer)
    l3 = store.import_layer_tar(tar().whiteout("etc/motd").whiteout("var/cache").stream(), parent=top)
    store.create_image(store.layer_chain(l3.id), ImageConfig(), ["deleted:1"])
    assert read(store, "deleted:1", "etc/motd") is None
    assert store.resolve_path("deleted:1", "var/cache") is None
    assert store.resolve_path("deleted:1", "var/cache/a") is None
    assert read(store, "deleted:1", "etc/passwd") == b"root\n"
    assert read(store, "base:1", "etc/motd") == b"hi\n"  # the image below is unchanged


def test_opaque_directory(store: Store, tar) -> None:
    base = store.image(base_image(store, tar))
    l3 = store.import_layer_tar(
        tar().dir("var/cache").opaque("var/cache").file("var/cache/c", b"c").stream(),
        parent=store.layer(base.top_layer),
    )
    store.create_image(store.layer_chain(l3.id), ImageConfig(), ["opaque:1"])
    assert store.resolve_path("opaque:1", "var/cache/a") is None
    assert store.resolve_path("opaque:1", "var/cache/b") is None
    assert read(store, "opaque:1", "var/cache/c") == b"c"
    assert read(store, "opaque:1", "etc/passwd") == b"root\n"


def test_hardlink_to_a_lower_layer_file(store: Store, tar) -> None:
    base = store.image(base_image(store, tar))
    l3 = store.import_layer_tar(
        tar().hardlink("etc/passwd2", "etc/passwd").stream(), parent=store.layer(base.top_layer)
    )
    store.create_image(store.layer_chain(l3.id), ImageConfig(), ["linked:1"])
    assert read(store, "linked:1", "etc/passwd2") == b"root\n"


def test_container_layer(store: Store, tar) -> None:
    image = base_image(store, tar)
    layout = store.create_container_layer("c1", image)
    assert store.container_rootfs("c1") == layout
    if store.driver_name == "overlay":
        assert layout.kind == "overlay"
        assert layout.upperdir.is_dir() and layout.workdir.is_dir() and not os.listdir(layout.upperdir)
        assert layout.lowerdirs == [store.layer(x).diff for x in reversed(store.image(image).layers)]
        assert "upperdir=" in layout.overlay_data()
    else:
        assert layout.kind == "dir"
        assert (layout.path / "bin" / "tool").read_bytes() == b"v2"
    with pytest.raises(ContainerLayerExists):
        store.create_container_layer("c1", image)
    with pytest.raises(ContainerLayerUnknown):
        store.container_rootfs("nope")


def _change_things(root: Path) -> None:
    (root / "new.txt").write_bytes(b"new")
    (root / "etc" / "passwd").write_bytes(b"root\nuser\n")
    os.unlink(root / "etc" / "motd")
    shutil.rmtree(root / "usr")
    shutil.rmtree(root / "var" / "cache")
    (root / "var" / "cache").mkdir()
    (root / "var" / "cache" / "fresh").write_bytes(b"f")


EXPECTED = [
    Change("/etc", "C"),
    Change("/etc/motd", "D"),
    Change("/etc/passwd", "C"),
    Change("/new.txt", "A"),
    Change("/usr", "D"),
    Change("/var", "C"),
    Change("/var/cache", "C"),
    Change("/var/cache/a", "D"),
    Change("/var/cache/b", "D"),
    Change("/var/cache/fresh", "A"),
]


def test_diff_of_container_layer(store: Store, tar) -> None:
    store.create_container_layer("c1", base_image(store, tar))
    root = store.mount_container("c1")
    _change_things(root)
    store.unmount_container("c1")
    assert store.diff_container("c1") == EXPECTED


def test_export_and_reimport_container_layer(store: Store, tar) -> None:
    image = store.image(base_image(store, tar))
    store.create_container_layer("c1", image)
    _change_things(store.mount_container("c1"))
    store.unmount_container("c1")
    buf = io.BytesIO()
    store.export_container_layer_tar("c1", buf)
    with tarfile.open(fileobj=io.BytesIO(buf.getvalue())) as tf:
        names = tf.getnames()
    assert "etc/.wh.motd" in names and ".wh.usr" in names
    assert "new.txt" in names and "etc/passwd" in names
    assert "var/cache/.wh..wh..opq" in names or {"var/cache/.wh.a", "var/cache/.wh.b"} <= set(names)
    assert not any(n.startswith("/") or ".." in n.split("/") for n in names)

    buf.seek(0)
    layer = store.import_layer_tar(buf, parent=store.layer(image.top_layer))
    store.create_image(store.layer_chain(layer.id), ImageConfig(), ["committed:1"])
    assert read(store, "committed:1", "new.txt") == b"new"
    assert read(store, "committed:1", "etc/passwd") == b"root\nuser\n"
    assert store.resolve_path("committed:1", "etc/motd") is None
    assert store.resolve_path("committed:1", "usr/share/doc") is None
    assert store.resolve_path("committed:1", "var/cache/a") is None
    assert read(store, "committed:1", "var/cache/fresh") == b"f"
    assert read(store, "committed:1", "bin/tool") == b"v2"


def test_two_containers_do_not_share_writes(store: Store, tar) -> None:
    image = base_image(store, tar)
    store.create_container_layer("c1", image)
    store.create_container_layer("c2", image)
    (store.mount_container("c1") / "only-c1").write_bytes(b"1")
    assert not (store.mount_container("c2") / "only-c1").exists()
    assert store.diff_container("c2") == []
    assert store.resolve_path(image, "only-c1") is None


def test_a_layers_trees_are_removed_without_the_stores_lock(store: Store, tar, monkeypatch) -> None:
    """Another container's create takes the lock: it must not wait behind a removal's rm -r."""
    from sandbox.storage import store as store_module

    image = store.image(base_image(store, tar))
    store.create_container_layer("c1", image)
    held: list[int] = []
    remove_tree = store_module.remove_tree

    def remove_and_note(path: Path) -> None:
        held.append(store.lock._depth)
        remove_tree(path)

    monkeypatch.setattr(store_module, "remove_tree", remove_and_note)
    store.remove_container_layer("c1")
    assert held and set(held) == {0}
    assert not (store.root / "containers" / "c1").exists()
    with pytest.raises(ContainerLayerUnknown):
        store.container_layer("c1")


def test_removal_and_in_use_refusal(store: Store, tar) -> None:
    image = store.image(base_image(store, tar))
    bottom, top = image.layers
    with pytest.raises(LayerInUse):
        store.remove_layer(bottom)  # a layer sits on it
    with pytest.raises(LayerInUse):
        store.remove_layer(top)  # an image uses it
    store.create_container_layer("c1", image)
    with pytest.raises(ImageUsedByContainer):
        store.remove_image("base:1")
    store.remove_container_layer("c1")
    assert not (store.root / "containers" / "c1").exists()
    removed = store.remove_image("base:1")
    assert removed.id == image.id
    with pytest.raises(LayerUnknown):
        store.layer(top)
    assert store.layers() == []
    assert [p.name for p in (store.root / "layers").iterdir() if not p.name.startswith(".")] == []
    assert store.layout.blobs() == []  # layers, config and manifest blobs all collected
    assert store.layout.index().manifests == []


def test_removing_one_image_keeps_shared_layers(store: Store, tar) -> None:
    image = store.image(base_image(store, tar))
    l3 = store.import_layer_tar(tar().file("extra", b"e").stream(), parent=store.layer(image.top_layer))
    child = store.create_image(store.layer_chain(l3.id), ImageConfig(), ["child:1"])
    store.remove_image("child:1")
    assert [x.id for x in store.layers()] != [] and store.image("base:1").id == image.id
    with pytest.raises(LayerUnknown):
        store.layer(l3.id)
    for digest in image.blobs:
        assert store.layout.has_blob(digest)
    assert not store.layout.has_blob(child.manifest_digest)
    assert read(store, "base:1", "bin/tool") == b"v2"
