"""skopeo and umoci read our layout; we read theirs.

skopeo needs no root. ``umoci unpack`` and ``insert`` run with ``--rootless`` when we are
not root. Skipped, with the reason, where the tools are not installed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from sandbox.images.bootstrap import bootstrap_busybox
from sandbox.storage import Store

needs_skopeo = pytest.mark.skipif(shutil.which("skopeo") is None, reason="skopeo is not installed")
needs_umoci = pytest.mark.skipif(shutil.which("umoci") is None, reason="umoci is not installed")
needs_busybox = pytest.mark.skipif(
    not Path("/bin/busybox").is_file(), reason="busybox-static is not installed"
)


def run(*cmd: str | Path) -> str:
    proc = subprocess.run([str(c) for c in cmd], check=False, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, f"{cmd}: {proc.stderr}"
    return proc.stdout


def umoci(*args: str | Path) -> str:
    rootless = ("--rootless",) if os.geteuid() != 0 and args[0] in ("unpack", "insert") else ()
    return run("umoci", args[0], *rootless, *args[1:])


@pytest.fixture
def busybox_store(tmp_path: Path) -> Store:
    store = Store(tmp_path / "store", "copy")
    bootstrap_busybox(store)
    return store


@needs_skopeo
@needs_busybox
def test_skopeo_inspects_and_copies_our_image(busybox_store: Store, tmp_path: Path) -> None:
    image = busybox_store.image("busybox:latest")
    info = json.loads(run("skopeo", "inspect", f"oci:{busybox_store.root}:busybox:latest"))
    assert info["Digest"] == image.manifest_digest
    assert info["Layers"] == image.blobs[1:]
    assert "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" in info["Env"]

    out = tmp_path / "out"
    run("skopeo", "copy", f"oci:{busybox_store.root}:busybox:latest", f"oci:{out}:x")
    index = json.loads((out / "index.json").read_text())
    assert [m["annotations"]["org.opencontainers.image.ref.name"] for m in index["manifests"]] == ["x"]

    # ...and back: what skopeo wrote (it may recompress the layer, so the manifest can
    # differ), our store reads as the same image: same config, same layer contents.
    other = Store(tmp_path / "other", "copy")
    again = other.import_from_layout(out, "x", tags=["copied:1"])
    assert again.manifest_digest == index["manifests"][0]["digest"]
    assert again.id == image.id
    assert again.layers == image.layers
    assert other.resolve_path("copied:1", "bin/busybox").read_bytes() == Path("/bin/busybox").read_bytes()


@needs_skopeo
@needs_umoci
@needs_busybox
def test_an_image_skopeo_writes_into_our_layout_is_adopted(busybox_store: Store, tmp_path: Path) -> None:
    layout, src = tmp_path / "umoci", tmp_path / "src"
    src.mkdir()
    (src / "hello").write_text("hello\n")
    umoci("init", "--layout", layout)
    umoci("new", "--image", f"{layout}:t")
    umoci("insert", "--image", f"{layout}:t", src, "/opt")
    run("skopeo", "copy", f"oci:{layout}:t", f"oci:{busybox_store.root}:adopted:1")
    image = busybox_store.image("adopted:1")
    assert image.tags == ["adopted:1"]
    assert busybox_store.resolve_path("adopted:1", "opt/hello").read_text() == "hello\n"
    index = busybox_store.layout.index()
    assert {i.manifest_digest for i in busybox_store.images()} == {d.digest for d in index.manifests}


@needs_skopeo
@needs_busybox
def test_skopeo_copies_to_a_dir(busybox_store: Store, tmp_path: Path) -> None:
    run("skopeo", "copy", f"oci:{busybox_store.root}:busybox:latest", f"dir:{tmp_path / 'd'}")
    manifest = json.loads((tmp_path / "d" / "manifest.json").read_text())
    layer = manifest["layers"][0]["digest"]
    assert (tmp_path / "d" / layer.split(":")[1]).is_file()


@needs_umoci
@needs_busybox
def test_umoci_unpacks_our_image(busybox_store: Store, tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    umoci("unpack", "--image", f"{busybox_store.root}:busybox:latest", bundle)
    rootfs = bundle / "rootfs"
    assert (rootfs / "bin" / "busybox").is_file()
    assert os.readlink(rootfs / "bin" / "sh") == "busybox"
    assert "user:x:1000:1000" in (rootfs / "etc" / "passwd").read_text()
    config = json.loads((bundle / "config.json").read_text())
    assert config["process"]["args"] == ["sh"]


@needs_umoci
def test_we_read_an_image_umoci_made(tmp_path: Path) -> None:
    layout = tmp_path / "umoci"
    src = tmp_path / "src"
    src.mkdir()
    (src / "hello").write_text("hello\n")
    (src / "bye").write_text("bye\n")
    umoci("init", "--layout", layout)
    umoci("new", "--image", f"{layout}:t")
    umoci("insert", "--image", f"{layout}:t", src, "/opt")
    umoci("config", "--image", f"{layout}:t", "--config.cmd=sh", "--config.env=A=1")
    # A second layer with a deletion: umoci writes it as an OCI whiteout.
    bundle = tmp_path / "bundle"
    umoci("unpack", "--image", f"{layout}:t", bundle)
    (bundle / "rootfs" / "opt" / "bye").unlink()
    (bundle / "rootfs" / "new").write_text("new\n")
    umoci("repack", "--image", f"{layout}:t2", bundle)

    store = Store(tmp_path / "store", "copy")
    first = store.import_from_layout(layout, "t")
    assert first.tags == ["t:latest"]
    assert store.image_config(first).cmd == ["sh"] and "A=1" in store.image_config(first).env
    assert store.resolve_path("t", "opt/bye") is not None
    second = store.import_from_layout(layout, "t2", tags=["mine:2"])
    assert second.layers[0] == first.layers[0]  # the shared layer is not applied twice
    assert store.resolve_path("mine:2", "opt/hello").read_text() == "hello\n"
    assert store.resolve_path("mine:2", "opt/bye") is None
    assert store.resolve_path("mine:2", "new").read_text() == "new\n"
    for digest in second.blobs:
        store.layout.verify_blob(digest)


def test_import_from_a_directory_that_is_not_a_layout(tmp_path: Path) -> None:
    from sandbox.errors import StorageError

    with pytest.raises(StorageError) as e:
        Store(tmp_path / "s").import_from_layout(tmp_path, "x")
    assert "OCI image layout" in str(e.value)


def test_import_verifies_blobs(tmp_path: Path, tar) -> None:
    from sandbox.errors import DigestMismatch
    from sandbox.storage import ImageConfig

    src = Store(tmp_path / "src", "copy")
    layer = src.import_layer_tar(tar().file("f", b"data").stream())
    src.create_image([layer], ImageConfig(), ["x:1"])
    src.layout.blob_path(layer.blob_digest).write_bytes(tar().file("f", b"evil").bytes())
    dst = Store(tmp_path / "dst", "copy")
    with pytest.raises(DigestMismatch):
        dst.import_from_layout(src.root, "x:1")
    assert dst.images() == [] and dst.layers() == []
