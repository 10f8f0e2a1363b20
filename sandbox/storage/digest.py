"""sha256 digests: the store's addresses, and readers that compute them while streaming."""

from __future__ import annotations

import hashlib
import re
from typing import BinaryIO

from sandbox.errors import StorageError

_SHA256 = re.compile(r"^sha256:[0-9a-f]{64}$")
CHUNK = 1 << 20


def check_digest(digest: str) -> str:
    """Return ``digest`` if it is a well-formed sha256 digest, else raise: a digest becomes a
    file name under blobs/, so a malformed one must never reach the file system."""
    if not isinstance(digest, str) or not _SHA256.match(digest):
        raise StorageError(f"not a sha256 digest: {digest!r}", "digests look like sha256:<64 hex digits>")
    return digest


def hex_of(digest: str) -> str:
    return check_digest(digest).split(":", 1)[1]


def sha256_bytes(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def chain_id(parent_chain: str | None, diff_id: str) -> str:
    """The OCI ChainID: a layer's identity together with everything beneath it, so the same
    diff applied on two different parents gives two different layers."""
    if parent_chain is None:
        return diff_id
    return sha256_bytes(f"{parent_chain} {diff_id}".encode())


class HashingReader:
    """A read-only stream that hashes and counts what passes through it."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self._hash = hashlib.sha256()
        self.size = 0

    def read(self, n: int = -1) -> bytes:
        data = self._raw.read(n)
        if data:
            self._hash.update(data)
            self.size += len(data)
        return data

    def drain(self) -> None:
        """Read to the end, so the digest covers the whole stream (tar padding included)."""
        while self.read(CHUNK):
            pass

    @property
    def digest(self) -> str:
        return "sha256:" + self._hash.hexdigest()


class TeeReader:
    """Passes reads through while copying every byte to ``sink`` (a blob being written)."""

    def __init__(self, raw: BinaryIO, sink: BinaryIO) -> None:
        self._raw = raw
        self._sink = sink

    def read(self, n: int = -1) -> bytes:
        data = self._raw.read(n)
        if data:
            self._sink.write(data)
        return data


class PeekReader:
    """Lets the first bytes be looked at (to detect gzip) on a stream that cannot seek."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self._head = b""

    def peek(self, n: int) -> bytes:
        while len(self._head) < n:
            more = self._raw.read(n - len(self._head))
            if not more:
                break
            self._head += more
        return self._head[:n]

    def read(self, n: int = -1) -> bytes:
        if self._head:
            if n < 0:
                data, self._head = self._head + self._raw.read(), b""
                return data
            data, self._head = self._head[:n], self._head[n:]
            return data
        return self._raw.read(n)
