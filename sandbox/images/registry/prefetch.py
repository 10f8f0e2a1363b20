"""Download layer blobs ahead of the layer being applied.

Applying a layer (decompress, hash, write files) costs more than downloading it over a
fast link, and layers must be applied in order: each goes on top of its parent. So while
one layer is applied, the next few are already downloading, each in a thread of its own
into a bounded queue of chunks (a slow disk slows the downloads down instead of filling
memory). The applier reads a ``BlobPrefetch`` as it would read the socket.

Each thread also writes its blob into the store's layout, verifies its digest there and
decompresses it, so the applier only hashes the tar and writes the layer's files:
``recv``, ``sha256``, ``write`` and ``zlib`` release the GIL, and the two halves run on
two cores. A blob is complete and
verified before its reader sees the end of the stream; a digest mismatch is raised by
``read`` instead of the end.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass

from sandbox.errors import DigestMismatch
from sandbox.images.registry.client import RegistryClient
from sandbox.images.registry.verify import CHUNK
from sandbox.storage.layerimport import GzipDamaged, GzipDecoder, is_gzip
from sandbox.storage.layout import OciLayout

# Pieces of at most CHUNK bytes a download may run ahead of its reader: 16 MiB per layer.
_AHEAD = 16
_JOIN_TIMEOUT = 5.0


@dataclass
class _Failed:
    error: BaseException


class BlobPrefetch:
    """One blob downloading in a thread into the layout; ``read`` returns its content in
    order, decompressed if it is gzip and ``decode`` is set (``actual`` is the blob's
    digest once all is read). Call ``close`` when done."""

    def __init__(self, client: RegistryClient, layout: OciLayout, repository: str, digest: str, size: int,
                 on_read: Callable[[int], None] | None = None, decode: bool = True) -> None:
        self._client = client
        self._layout = layout
        self._decode = decode
        self._repository = repository
        self.digest = digest
        self.size = size
        self._on_read = on_read
        self._queue: queue.Queue[bytes | _Failed] = queue.Queue(maxsize=_AHEAD)
        self._stop = threading.Event()
        self._chunk = b""
        self._pos = 0
        self._eof = False
        self._actual = ""
        self._thread = threading.Thread(target=self._run, name=f"pull {digest[7:19]}", daemon=True)

    def start(self) -> BlobPrefetch:
        self._thread.start()
        return self

    # -- the download thread ----------------------------------------------------------------

    def _put(self, item: bytes | _Failed) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _run(self) -> None:
        try:
            resp, reader = self._client.open_blob(self._repository, self.digest, self.size, self._on_read,
                                                  hashing=False)  # the blob writer hashes
            with resp, self._layout.writer() as blob:
                decoder: GzipDecoder | None = None
                broken: BaseException | None = None
                first = True
                while chunk := reader.read(CHUNK):
                    blob.write(chunk)
                    if first and self._decode and is_gzip(chunk):
                        decoder = GzipDecoder(max_piece=CHUNK)
                    first = False
                    if broken is not None:
                        continue  # only the blob's digest is still wanted: it names the cause
                    try:
                        for piece in decoder.feed(chunk) if decoder is not None else (chunk,):
                            if not self._put(piece):
                                return  # stopped: leaving the writer's block removes the partial blob
                    except GzipDamaged as e:
                        broken = e
                if decoder is not None and broken is None:
                    try:
                        decoder.end()
                    except EOFError as e:
                        broken = e
                try:
                    blob.commit(self.digest)
                except DigestMismatch as e:
                    self._actual = e.actual
                    raise
            self._actual = self.digest
            if broken is not None:
                raise broken
            self._put(b"")
        except BaseException as e:  # noqa: BLE001 - not swallowed: the reader raises it in its thread
            self._put(_Failed(e))

    # -- the reader's side ------------------------------------------------------------------

    def read(self, n: int = -1) -> bytes:
        if n is None or n < 0:
            parts = []
            while chunk := self.read(CHUNK):
                parts.append(chunk)
            return b"".join(parts)
        while self._pos >= len(self._chunk):
            if self._eof:
                return b""
            item = self._queue.get()
            if isinstance(item, _Failed):
                self._eof = True
                raise item.error
            if not item:
                self._eof = True
                return b""
            self._chunk, self._pos = item, 0
        data = self._chunk[self._pos:self._pos + n]
        self._pos += len(data)
        return data

    def drain(self) -> None:
        while self.read(CHUNK):
            pass

    @property
    def actual(self) -> str:
        """The digest of what was downloaded, once all of it was (after a ``drain``)."""
        return self._actual

    def close(self) -> None:
        """Stop the download if it still runs (a failed pull) and wait for the thread."""
        self._stop.set()
        while True:  # unblock a put waiting for room
            try:
                self._queue.get_nowait()
            except queue.Empty:
                break
        if self._thread.is_alive():
            self._thread.join(_JOIN_TIMEOUT)
