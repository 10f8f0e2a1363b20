"""Read one layer tarball: keep its bytes as a blob, and apply it to a diff directory.

One pass over the input does both: the raw bytes are copied into a new blob while they are
read (so the blob digest is that of exactly what came in), then decompressed if they are
gzip, hashed again (the uncompressed digest is the layer's DiffID), and applied.

The input is read a MiB at a time: ``gzip.GzipFile`` would pull it 8 KiB at a time, and
each of those small reads becomes a small write to the blob (a syscall) and several
Python calls; zlib itself checks the gzip header, CRC-32 and length.
"""

from __future__ import annotations

import contextlib
import zlib
from collections.abc import Iterator, Sequence
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


# At most this much decompressed output per step: a small layer cannot balloon in memory.
_MAX_OUT = 4 * CHUNK


class GzipDamaged(OSError):
    """Damaged gzip data. An OSError without errno, as ``gzip`` raises: tarfile turns a
    zlib.error met while reading a header into "not a valid tar", which hides the cause."""


class _Gunzip:
    """Decompresses a gzip stream (one or more members, as ``gzip`` allows) read in large
    steps. Raises EOFError if the stream ends inside a member, GzipDamaged if damaged."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self._d = zlib.decompressobj(wbits=31)  # 16 + 15: a gzip wrapper, 32 KiB window
        self._out = b""
        self._pos = 0
        self._eof = False

    def _step(self) -> bytes:
        d = self._d
        if d.eof:
            rest = d.unused_data or self._raw.read(CHUNK)
            if not rest:
                self._eof = True
                return b""
            d = self._d = zlib.decompressobj(wbits=31)
        else:
            rest = d.unconsumed_tail or self._raw.read(CHUNK)
            if not rest:
                raise EOFError("the gzip stream ends before its end-of-stream marker")
        try:
            return d.decompress(rest, _MAX_OUT)
        except zlib.error as e:
            raise GzipDamaged(str(e)) from None

    def read(self, n: int = -1) -> bytes:
        if n < 0:
            parts = [self._out[self._pos:]]
            while not self._eof:
                parts.append(self._step())
            self._out, self._pos = b"", 0
            return b"".join(parts)
        while self._pos >= len(self._out):
            if self._eof:
                return b""
            self._out, self._pos = self._step(), 0
        data = self._out[self._pos:self._pos + n]
        self._pos += len(data)
        return data


class GzipDecoder:
    """Push-style gzip decoding for a caller that receives the bytes itself: ``feed`` them,
    take the decompressed pieces; ``end`` raises EOFError if the stream stopped inside a
    member. Damage raises GzipDamaged."""

    def __init__(self, max_piece: int = _MAX_OUT) -> None:
        self._d = zlib.decompressobj(wbits=31)
        self._max_piece = max_piece

    def feed(self, data: bytes) -> Iterator[bytes]:
        while data:
            if self._d.eof:
                self._d = zlib.decompressobj(wbits=31)  # the next member
            try:
                out = self._d.decompress(data, self._max_piece)
            except zlib.error as e:
                raise GzipDamaged(str(e)) from None
            if out:
                yield out
            data = self._d.unused_data if self._d.eof else self._d.unconsumed_tail

    def end(self) -> None:
        if not self._d.eof:
            raise EOFError("the gzip stream ends before its end-of-stream marker")


def is_gzip(head: bytes) -> bool:
    return head.startswith(_GZIP_MAGIC)


@dataclass(frozen=True)
class KeptBlob:
    """A layer's blob that the caller stores, verifies and decompresses itself (a registry
    pull does it in the download thread): the reader is then handed the uncompressed tar
    and only applies it."""

    digest: str
    size: int
    media_type: str


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
               expected_blob: str | None = None, kept: KeptBlob | None = None) -> ReadLayer:
    with contextlib.ExitStack() as stack:
        blob = stack.enter_context(layout.writer()) if kept is None else None
        raw = PeekReader(TeeReader(src, blob) if blob is not None else src)  # type: ignore[arg-type]
        head = raw.peek(4)
        stream: BinaryIO
        if kept is not None:
            media_type = kept.media_type
            stream = raw  # type: ignore[assignment]
        elif head.startswith(_GZIP_MAGIC):
            media_type = mt.LAYER_GZIP
            stream = _Gunzip(raw)  # type: ignore[assignment]
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
            # A damaged stream is a GzipDamaged (an OSError without errno), a truncated one EOFError.
            raise StorageError(f"the layer's compressed data is damaged: {e}") from e
        while raw.read(CHUNK):
            pass
        if expected_diff_id is not None and hashed.digest != expected_diff_id:
            raise DigestMismatch(expected_diff_id, hashed.digest, "layer diff_id")
        if blob is not None:
            size, digest = blob.size, blob.commit(expected_blob)
        else:
            assert kept is not None
            size, digest = kept.size, kept.digest
    return ReadLayer(diff_id=hashed.digest, size=hashed.size, blob_digest=digest, blob_size=size,
                     media_type=media_type, entries=result.entries)
