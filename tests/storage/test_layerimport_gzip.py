"""The layer reader's own gzip decoding: members, damage and truncation."""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import tarfile
from pathlib import Path

import pytest

from sandbox.errors import StorageError
from sandbox.storage.layerimport import GzipDamaged, GzipDecoder, KeptBlob, _Gunzip, read_layer
from sandbox.storage.layout import OciLayout


def _tar(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tf:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def _read_all_in_small_steps(r: _Gunzip, n: int) -> bytes:
    out = []
    while chunk := r.read(n):
        assert len(chunk) <= n
        out.append(chunk)
    return b"".join(out)


@pytest.mark.parametrize("step", [1, 511, 65536, 1 << 22])
def test_decodes_what_gzip_encodes_in_any_read_size(step: int) -> None:
    data = os.urandom(300_000) + b"abc" * 200_000
    assert _read_all_in_small_steps(_Gunzip(io.BytesIO(gzip.compress(data))), step) == data


def test_several_members_are_one_stream() -> None:
    blob = gzip.compress(b"first ") + gzip.compress(b"") + gzip.compress(b"second")
    assert _Gunzip(io.BytesIO(blob)).read() == b"first second"


def test_a_truncated_stream_is_an_eof_error() -> None:
    blob = gzip.compress(os.urandom(100_000))
    with pytest.raises(EOFError):
        _Gunzip(io.BytesIO(blob[: len(blob) // 2])).read()


def test_a_bad_crc_is_refused() -> None:
    blob = bytearray(gzip.compress(b"hello world" * 1000))
    blob[-8] ^= 0xFF  # the CRC-32 in the trailer
    with pytest.raises(GzipDamaged, match="incorrect data check"):
        _Gunzip(io.BytesIO(bytes(blob))).read()


def test_damaged_layers_are_a_storage_error_and_leave_no_blob(tmp_path: Path) -> None:
    layout = OciLayout(tmp_path / "layout")
    layout.ensure()
    blob = bytearray(gzip.compress(_tar({"a": os.urandom(50_000)})))
    blob[len(blob) // 2] ^= 0xFF
    diff = tmp_path / "diff"
    diff.mkdir()
    with pytest.raises(StorageError, match="compressed data is damaged"):
        read_layer(io.BytesIO(bytes(blob)), layout, diff, "delete")
    assert layout.blobs() == []


def test_a_gzip_layer_is_applied_and_hashed(tmp_path: Path) -> None:
    layout = OciLayout(tmp_path / "layout")
    layout.ensure()
    tar = _tar({"a": b"x" * 100_000, "d/b": os.urandom(70_000)})
    diff = tmp_path / "diff"
    diff.mkdir()
    read = read_layer(io.BytesIO(gzip.compress(tar)), layout, diff, "delete")
    assert read.diff_id == "sha256:" + hashlib.sha256(tar).hexdigest()
    assert (diff / "a").read_bytes() == b"x" * 100_000 and read.entries == 2


@pytest.mark.parametrize("piece", [1, 1000, 1 << 20])
def test_the_push_decoder_decodes_any_feeding(piece: int) -> None:
    data = os.urandom(200_000) + b"xyz" * 300_000
    blob = gzip.compress(data[:150_000]) + gzip.compress(data[150_000:])
    decoder = GzipDecoder()
    out = b"".join(part for i in range(0, len(blob), piece) for part in decoder.feed(blob[i:i + piece]))
    decoder.end()
    assert out == data


def test_the_push_decoder_knows_a_cut_stream_and_damage() -> None:
    blob = gzip.compress(os.urandom(100_000))
    decoder = GzipDecoder()
    list(decoder.feed(blob[:-10]))
    with pytest.raises(EOFError):
        decoder.end()
    damaged = bytearray(blob)
    damaged[-8] ^= 0xFF
    with pytest.raises(GzipDamaged):
        list(GzipDecoder().feed(bytes(damaged)))


def test_a_kept_blob_is_not_stored_again(tmp_path: Path) -> None:
    layout = OciLayout(tmp_path / "layout")
    layout.ensure()
    tar = _tar({"a": b"data"})
    diff = tmp_path / "diff"
    diff.mkdir()
    kept = KeptBlob("sha256:" + "0" * 64, 123, "application/vnd.oci.image.layer.v1.tar+gzip")
    read = read_layer(io.BytesIO(tar), layout, diff, "delete", kept=kept)
    assert (read.blob_digest, read.blob_size, read.media_type) == (kept.digest, 123, kept.media_type)
    assert layout.blobs() == [] and (diff / "a").read_bytes() == b"data"
