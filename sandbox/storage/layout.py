"""A content-addressed blob store laid out as an OCI image layout.

    ROOT/oci-layout            {"imageLayoutVersion": "1.0.0"}
    ROOT/index.json            the tags: one manifest descriptor per ref.name annotation
    ROOT/blobs/sha256/<hex>    manifests, configs and layer tarballs, named by their digest

This is the format skopeo and umoci read and write, so ``oci:ROOT:busybox:latest`` names
our busybox image for them. A blob is written under a temporary name and renamed to its
digest only once the digest checks out, so a blob file that exists is always complete.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from sandbox.errors import BlobUnknown, DigestMismatch, StorageError
from sandbox.storage import mediatypes as mt
from sandbox.storage.atomic import StoreLock, write_atomic
from sandbox.storage.digest import CHUNK, HashingReader, hex_of, sha256_bytes
from sandbox.storage.oci import Descriptor, Index

# Blobs we read whole (manifests, configs, indexes) are small; anything larger than this is
# not a JSON document we should parse, whatever the index says.
MAX_DOCUMENT = 8 << 20


class BlobWriter:
    """A blob being written: ``write`` bytes, then ``commit`` renames it to its digest."""

    def __init__(self, layout: OciLayout) -> None:
        import hashlib

        self._layout = layout
        self.tmp = layout.blob_dir / f".tmp-{os.urandom(16).hex()}"
        self._file = open(self.tmp, "xb")  # noqa: SIM115 - closed by commit() or abort()
        self._hash = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self._hash.update(data)
        self.size += len(data)
        return self._file.write(data)

    def commit(self, expected: str | None = None) -> str:
        self._file.close()
        digest = "sha256:" + self._hash.hexdigest()
        if expected is not None and digest != expected:
            self.abort()
            raise DigestMismatch(expected, digest)
        os.replace(self.tmp, self._layout.blob_path(digest))
        return digest

    def abort(self) -> None:
        if not self._file.closed:
            self._file.close()
        self.tmp.unlink(missing_ok=True)


class OciLayout:
    """One OCI image layout directory. Opening is free; files are read when asked for."""

    def __init__(self, root: Path, lock: StoreLock | None = None) -> None:
        self.root = Path(root)
        self.blob_dir = self.root / "blobs" / "sha256"
        self.index_path = self.root / "index.json"
        self.lock = lock or StoreLock(self.root / ".lock")

    # -- the layout itself ------------------------------------------------------------------

    def exists(self) -> bool:
        return (self.root / "oci-layout").is_file()

    def ensure(self) -> None:
        """Create the skeleton if it is missing (the first write to a new root)."""
        if self.exists() and self.blob_dir.is_dir() and self.index_path.is_file():
            return
        self.blob_dir.mkdir(parents=True, exist_ok=True)
        with self.lock:
            marker = self.root / "oci-layout"
            if not marker.exists():
                write_atomic(marker, json.dumps({"imageLayoutVersion": mt.OCI_LAYOUT_VERSION}).encode())
            if not self.index_path.exists():
                write_atomic(self.index_path, Index().to_json(), fsync=True)

    def check(self) -> None:
        """Raise unless ROOT looks like an OCI image layout we can read."""
        marker = self.root / "oci-layout"
        try:
            doc = json.loads(marker.read_bytes())
        except FileNotFoundError as e:
            raise StorageError(f"{self.root} is not an OCI image layout (no oci-layout file)",
                               "point at a directory made by skopeo, umoci or this store") from e
        except ValueError as e:
            raise StorageError(f"{marker} is not valid JSON") from e
        version = doc.get("imageLayoutVersion") if isinstance(doc, dict) else None
        if not isinstance(version, str) or not version.startswith("1."):
            raise StorageError(f"{marker}: unsupported imageLayoutVersion {version!r}")

    # -- blobs ------------------------------------------------------------------------------

    def blob_path(self, digest: str) -> Path:
        return self.blob_dir / hex_of(digest)

    def has_blob(self, digest: str) -> bool:
        return self.blob_path(digest).is_file()

    def blob_size(self, digest: str) -> int:
        try:
            return self.blob_path(digest).stat().st_size
        except FileNotFoundError as e:
            raise BlobUnknown(digest) from e

    @contextmanager
    def writer(self) -> Iterator[BlobWriter]:
        """``with layout.writer() as w: w.write(...); digest = w.commit()``; an exception or
        a missing commit leaves no file behind."""
        self.ensure()
        w = BlobWriter(self)
        try:
            yield w
        finally:
            w.abort()

    def put_bytes(self, data: bytes) -> tuple[str, int]:
        digest = sha256_bytes(data)
        path = self.blob_path(digest)
        if not path.exists():
            self.ensure()
            write_atomic(path, data, fsync=True, mode=0o644)
        return digest, len(data)

    def put_stream(self, src: BinaryIO, expected: str | None = None) -> tuple[str, int]:
        """Copy a stream into the store; with ``expected``, refuse it unless it hashes to that."""
        if expected is not None and self.has_blob(expected):
            return expected, self.blob_size(expected)
        with self.writer() as w:
            while chunk := src.read(CHUNK):
                w.write(chunk)
            size = w.size
            return w.commit(expected), size

    def open_blob(self, digest: str) -> BinaryIO:
        try:
            return open(self.blob_path(digest), "rb")
        except FileNotFoundError as e:
            raise BlobUnknown(digest) from e

    def read_blob(self, digest: str, verify: bool = True, what: str = "blob") -> bytes:
        """A small blob, read whole; its digest is checked (cheap at this size)."""
        path = self.blob_path(digest)
        try:
            if path.stat().st_size > MAX_DOCUMENT:
                raise StorageError(f"{what} {digest} is larger than {MAX_DOCUMENT} bytes")
            data = path.read_bytes()
        except FileNotFoundError as e:
            raise BlobUnknown(digest) from e
        if verify:
            actual = sha256_bytes(data)
            if actual != digest:
                raise DigestMismatch(digest, actual, what)
        return data

    def verify_blob(self, digest: str) -> None:
        """Hash a (possibly large) blob on disk and raise DigestMismatch if it is damaged."""
        with self.open_blob(digest) as f:
            reader = HashingReader(f)
            reader.drain()
        if reader.digest != digest:
            raise DigestMismatch(digest, reader.digest)

    def remove_blob(self, digest: str) -> None:
        self.blob_path(digest).unlink(missing_ok=True)

    def blobs(self) -> list[str]:
        try:
            names = os.listdir(self.blob_dir)
        except FileNotFoundError:
            return []
        return ["sha256:" + n for n in names if len(n) == 64 and not n.startswith(".")]

    # -- the index (tags) -------------------------------------------------------------------

    def index(self) -> Index:
        try:
            data = self.index_path.read_bytes()
        except FileNotFoundError:
            return Index()
        return Index.from_json(data, str(self.index_path))

    def update_index(self, change: Callable[[Index], None]) -> Index:
        """Read, change and rewrite index.json under the store lock, atomically."""
        self.ensure()
        with self.lock:
            index = self.index()
            change(index)
            write_atomic(self.index_path, index.to_json(), fsync=True)
            return index

    def resolve(self, ref_name: str) -> Descriptor | None:
        return self.index().find(ref_name)
