"""``GET /sandbox/images/{name}/layers``: the layer stack the layers picture draws, read
from a real store (busybox plus a layer of ours with a whiteout and a gzip blob)."""

from __future__ import annotations

import gzip
import io
import tarfile

import pytest

from sandbox.engine.imaging.layer_files import locate
from sandbox.storage import HistoryEntry, ImageConfig

from ..conftest import Api


def _tar(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, data in entries.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


@pytest.fixture
def edited(api: Api) -> str:
    """``edited:1``: busybox, then a gzip layer that rewrites /etc/passwd, adds /etc/motd
    and deletes /etc/group (a whiteout); a CMD that made no layer sits between them."""
    base = api.store.image("busybox")
    bottom = api.store.layer(base.layers[-1])
    top = api.store.import_layer_tar(io.BytesIO(gzip.compress(_tar(
        {"etc/passwd": b"root:x:0:0::/root:/bin/sh\n", "etc/motd": b"hi\n", "etc/.wh.group": b""}))),
        parent=bottom)
    config = ImageConfig(architecture="amd64", os="linux", history=[
        HistoryEntry(created_by="sandbox bootstrap: busybox"),
        HistoryEntry(created_by="CMD [\"sh\"]", empty_layer=True),
        HistoryEntry(created_by="COPY etc /etc")])
    api.store.create_image([bottom, top], config, tags=["edited:1"])
    return "edited:1"


def test_the_stack_bottom_first_with_sizes_instructions_digests_and_files(api: Api, edited: str) -> None:
    doc = api.client.get("/sandbox/images/edited:1/layers").json()
    image = api.store.image(edited)
    assert doc["image"] == image.id and doc["tags"] == ["edited:1"]
    bottom, top = doc["layers"]
    assert [bottom["index"], top["index"]] == [0, 1]
    assert bottom["digest"] == api.store.layer(image.layers[0]).diff_id
    assert top["size"] == api.store.layer(image.layers[1]).size
    # The CMD made no layer: the second layer's instruction is the COPY.
    assert bottom["instruction"] == "sandbox bootstrap: busybox" and top["instruction"] == "COPY etc /etc"
    assert "bin/busybox" in bottom["files"] and "etc/passwd" in bottom["files"]
    assert set(top["files"]) == {"etc/passwd", "etc/motd", "etc/.wh.group"}
    assert "path" not in doc


@pytest.mark.parametrize("path, state, layer, shadowed", [
    ("/etc/passwd", "image", 1, [0]),      # the top layer's copy hides busybox's
    ("/bin/busybox", "image", 0, []),
    ("/etc/motd", "image", 1, []),
    ("/etc/group", "deleted", 1, []),       # the whiteout
    ("/nowhere", "missing", None, []),
])
def test_which_layer_a_path_comes_from(api: Api, edited: str, path: str, state: str, layer: int | None,
                                       shadowed: list[int]) -> None:
    doc = api.client.get("/sandbox/images/edited:1/layers", query={"path": path}).json()
    assert doc["path"] == {"path": path, "state": state, "layer": layer, "shadowed": shadowed}


def test_an_unknown_image_is_404(api: Api) -> None:
    r = api.client.get("/sandbox/images/nope:1/layers")
    assert r.status == 404 and "nope" in r.json()["message"]


def test_an_opaque_directory_hides_what_is_below() -> None:
    lists = [frozenset({"etc", "etc/passwd"}), frozenset({"etc", "etc/.wh..wh..opq", "etc/hostname"})]
    assert locate("etc/passwd", lists).state == "deleted"
    assert locate("/etc/hostname", lists).layer == 1
    assert locate("/etc/passwd", [lists[0], None]).state == "unknown"
