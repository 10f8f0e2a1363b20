"""The OCI layout: blobs by digest, index.json updated atomically under a lock."""

from __future__ import annotations

import io
import json
import multiprocessing
from pathlib import Path

import pytest

from sandbox.errors import BlobUnknown, DigestMismatch, StorageError
from sandbox.storage import mediatypes as mt
from sandbox.storage.digest import sha256_bytes
from sandbox.storage.layout import OciLayout
from sandbox.storage.oci import Descriptor


def test_skeleton_is_created_on_first_write(tmp_path: Path) -> None:
    layout = OciLayout(tmp_path / "r")
    assert not (tmp_path / "r").exists()  # opening reads and writes nothing
    assert layout.index().manifests == []
    layout.put_bytes(b"x")
    assert json.loads((tmp_path / "r" / "oci-layout").read_text()) == {"imageLayoutVersion": "1.0.0"}
    assert json.loads((tmp_path / "r" / "index.json").read_text())["schemaVersion"] == 2
    layout.check()


def test_blobs_are_named_by_digest(tmp_path: Path) -> None:
    layout = OciLayout(tmp_path)
    digest, size = layout.put_bytes(b"hello")
    assert digest == sha256_bytes(b"hello") and size == 5
    assert (tmp_path / "blobs" / "sha256" / digest[7:]).read_bytes() == b"hello"
    assert layout.read_blob(digest) == b"hello"
    assert layout.put_stream(io.BytesIO(b"world"))[0] == sha256_bytes(b"world")


def test_damaged_blob_is_detected(tmp_path: Path) -> None:
    layout = OciLayout(tmp_path)
    digest, _ = layout.put_bytes(b"{}")
    layout.blob_path(digest).write_bytes(b"{ }")
    with pytest.raises(DigestMismatch):
        layout.read_blob(digest)
    with pytest.raises(DigestMismatch):
        layout.verify_blob(digest)


def test_stream_with_wrong_expected_digest_leaves_nothing(tmp_path: Path) -> None:
    layout = OciLayout(tmp_path)
    wrong = sha256_bytes(b"other")
    with pytest.raises(DigestMismatch):
        layout.put_stream(io.BytesIO(b"data"), expected=wrong)
    assert layout.blobs() == []
    assert [p.name for p in layout.blob_dir.iterdir()] == []


def test_unknown_and_malformed_digests(tmp_path: Path) -> None:
    layout = OciLayout(tmp_path)
    with pytest.raises(BlobUnknown):
        layout.read_blob(sha256_bytes(b"nope"))
    for bad in ("sha256:../../etc/passwd", "md5:" + "0" * 32, "sha256:" + "A" * 64):
        with pytest.raises(StorageError):
            layout.blob_path(bad)


def test_not_a_layout(tmp_path: Path) -> None:
    with pytest.raises(StorageError) as e:
        OciLayout(tmp_path).check()
    assert e.value.hint
    (tmp_path / "oci-layout").write_text('{"imageLayoutVersion": "2.0.0"}')
    with pytest.raises(StorageError):
        OciLayout(tmp_path).check()


def _tag_many(root: str, prefix: str, n: int) -> None:
    layout = OciLayout(Path(root))
    for i in range(n):
        name = f"{prefix}:{i}"

        def change(index, name=name):  # type: ignore[no-untyped-def]
            index.manifests.append(
                Descriptor(mt.MANIFEST, sha256_bytes(name.encode()), 1, annotations={mt.REF_NAME: name})
            )

        layout.update_index(change)


def test_concurrent_index_updates_lose_nothing(tmp_path: Path) -> None:
    OciLayout(tmp_path).ensure()
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_tag_many, args=(str(tmp_path), f"p{k}", 25)) for k in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    names = {d.ref_name for d in OciLayout(tmp_path).index().manifests}
    assert names == {f"p{k}:{i}" for k in range(3) for i in range(25)}
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".tmp-")]
