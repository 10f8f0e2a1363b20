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
from sandbox.storage.layerimport import GzipDamaged, _Gunzip, read_layer
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
