"""Read one layer tarball: keep its bytes as a blob, and apply it to a diff directory.

One pass over the input does both: the raw bytes are copied into a new blob while they are
read (so the blob digest is that of exactly what came in), then decompressed if they are
gzip, hashed again (the uncompressed digest is the layer's DiffID), and applied.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sandbox.errors import DigestMismatch, StorageError
from sandbox.storage import mediatypes as mt
from sandbox.storage.digest import CHUNK, HashingReader, PeekReader, TeeReader
from sandbox.storage.layout import OciLayout
from sandbox.storage.tarapply import WhiteoutMode, apply_tar

_GZIP_MAGIC = b"\x1f\x8b"
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


@dataclass
class ReadLayer:
    diff_id: str
    size: int
    blob_digest: str
    blob_size: int
    media_type: str
    entries: int


def read_layer(src: BinaryIO, layout: OciLayout, diff: Path, whiteouts: WhiteoutMode,
               lowers: Sequence[Path] = (), expected_diff_id: str | None = None,
               expected_blob: str | None = None) -> ReadLayer:
    import gzip

    with layout.writer() as blob:
        raw = PeekReader(TeeReader(src, blob))  # type: ignore[arg-type]
        head = raw.peek(4)
        stream: BinaryIO
        if head.startswith(_GZIP_MAGIC):
            media_type = mt.LAYER_GZIP
            stream = gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[call-overload]
        elif head.startswith(_ZSTD_MAGIC):
            raise StorageError("zstd-compressed layers are not supported",
                               "recompress the layer with gzip, or store it uncompressed")
        else:
            media_type = mt.LAYER_TAR
            stream = raw  # type: ignore[assignment]
        hashed = HashingReader(stream)
        try:
            result = apply_tar(hashed, diff, whiteouts, lowers)  # type: ignore[arg-type]
            hashed.drain()
        except (OSError, EOFError) as e:
            if isinstance(e, OSError) and e.errno is not None:
                raise
            # gzip reports a damaged or truncated stream as a bare OSError/EOFError.
            raise StorageError(f"the layer's compressed data is damaged: {e}") from e
        while raw.read(CHUNK):
            pass
        if expected_diff_id is not None and hashed.digest != expected_diff_id:
            raise DigestMismatch(expected_diff_id, hashed.digest, "layer diff_id")
        size = blob.size
        digest = blob.commit(expected_blob)
    return ReadLayer(diff_id=hashed.digest, size=hashed.size, blob_digest=digest, blob_size=size,
                     media_type=media_type, entries=result.entries)
