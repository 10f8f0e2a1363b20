"""Readers that check what a registry sends against the digest that names it.

A registry is not trusted: a blob is only what its digest says once every byte has been
hashed, and it may not be longer than its descriptor's size (a hostile server could
otherwise stream forever into our disk).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import BinaryIO

from sandbox.errors import DigestMismatch, RegistryProtocolError

CHUNK = 1 << 20


class VerifyingReader:
    """Hashes and counts a blob while it is read; ``verify()`` raises ``DigestMismatch``."""

    def __init__(self, raw: BinaryIO, digest: str, size: int | None, registry: str,
                 on_read: Callable[[int], None] | None = None, hashing: bool = True) -> None:
        self._raw = raw
        self.digest = digest
        self.size = size
        self.registry = registry
        self.count = 0
        # hashing=False when the bytes go into a blob writer that hashes them anyway: the
        # reader then only bounds the size (a hostile registry could stream forever).
        self._hash = hashlib.sha256() if hashing else None
        self._on_read = on_read

    def read(self, n: int = -1) -> bytes:
        data = self._raw.read(CHUNK if n is None or n < 0 else n)
        if data:
            self.count += len(data)
            if self.size is not None and self.count > self.size:
                raise RegistryProtocolError(self.registry, f"blob {self.digest} is longer than the "
                                                           f"{self.size} bytes its descriptor says")
            if self._hash is not None:
                self._hash.update(data)
            if self._on_read is not None:
                self._on_read(self.count)
        return data

    def drain(self) -> None:
        while self.read(CHUNK):
            pass

    @property
    def actual(self) -> str:
        if self._hash is None:
            raise RuntimeError("this reader does not hash (hashing=False)")
        return "sha256:" + self._hash.hexdigest()

    def verify(self, what: str = "blob") -> None:
        """Raise ``DigestMismatch`` unless everything read hashes to the expected digest."""
        if self.actual != self.digest:
            raise DigestMismatch(self.digest, self.actual, what)
        if self.size is not None and self.count != self.size:
            raise RegistryProtocolError(self.registry, f"{what} {self.digest} has {self.count} bytes, its "
                                                       f"descriptor says {self.size}")


class CountingReader:
    """Reports how many bytes of an upload have been read so far (for push progress)."""

    def __init__(self, raw: BinaryIO, limit: int | None, on_read: Callable[[int], None] | None,
                 start: int = 0) -> None:
        self._raw = raw
        self._left = limit
        self._on_read = on_read
        self.count = start

    def read(self, n: int = -1) -> bytes:
        if self._left is not None:
            if self._left <= 0:
                return b""
            n = self._left if n is None or n < 0 else min(n, self._left)
        data = self._raw.read(n)
        if data:
            self.count += len(data)
            if self._left is not None:
                self._left -= len(data)
            if self._on_read is not None:
                self._on_read(self.count)
        return data

    def close(self) -> None:
        self._raw.close()
