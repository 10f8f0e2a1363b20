"""An in-memory connection: two StreamReaders and two writers shaped like StreamWriter.

The transport seam for tests: ``Server.handle`` serves one end exactly as it serves a unix
socket, so route tests exercise the real parser and writer without a socket.
"""

from __future__ import annotations

import asyncio
from typing import Any


class PipeWriter:
    def __init__(self, pipe: Pipe, peer: asyncio.StreamReader) -> None:
        self._pipe = pipe
        self._peer = peer
        self._eof = False

    def write(self, data: bytes) -> None:
        if self._pipe.closed or self._eof:
            raise ConnectionResetError("the in-memory connection is closed")
        if data:
            self._peer.feed_data(data)

    def writelines(self, data: list[bytes]) -> None:
        for d in data:
            self.write(d)

    async def drain(self) -> None:
        if self._pipe.closed:
            raise ConnectionResetError("the in-memory connection is closed")
        await asyncio.sleep(0)

    def can_write_eof(self) -> bool:
        return True

    def write_eof(self) -> None:
        if not self._eof and not self._pipe.closed:
            self._eof = True
            self._peer.feed_eof()

    def close(self) -> None:
        self._pipe.close()

    def is_closing(self) -> bool:
        return self._pipe.closed

    async def wait_closed(self) -> None:
        return None

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return default


class Pipe:
    """``server_reader``/``server_writer`` for ``Server.handle``; the client_ pair for the
    test. Closing either writer closes both directions, like a socket."""

    def __init__(self, limit: int = 2 ** 20) -> None:
        self.closed = False
        self.server_reader = asyncio.StreamReader(limit=limit)
        self.client_reader = asyncio.StreamReader(limit=2 ** 24)
        self.server_writer = PipeWriter(self, self.client_reader)
        self.client_writer = PipeWriter(self, self.server_reader)

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        for reader, writer in ((self.server_reader, self.client_writer),
                               (self.client_reader, self.server_writer)):
            if not writer._eof:
                writer._eof = True
                reader.feed_eof()
