"""Response bodies that keep coming: JSON documents (events, stats, pull), log frames, bytes.

Each stream is an iterator that can be closed early (``with`` or ``close()``); closing drops
the connection, which is how a client tells the engine to stop following.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator

from sandbox.errors import EngineProtocolError

from ._frames import Stream, iter_frames
from ._http import Response


class _Closing:
    def __init__(self, response: Response) -> None:
        self._response = response
        self.closed = False

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self._response.close()

    def __enter__(self) -> "_Closing":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def fileno(self) -> int:
        return self._response.fileno()  # type: ignore[attr-defined]


class JSONStream(_Closing):
    """Consecutive JSON documents. Newlines between them are usual but not required."""

    def __init__(self, response: Response, what: str) -> None:
        super().__init__(response)
        self.what = what
        self._decoder = json.JSONDecoder()
        self._text = codecs.getincrementaldecoder("utf-8")()
        self._buffer = ""
        self._eof = False

    def __iter__(self) -> Iterator[dict]:
        return self

    def __next__(self) -> dict:
        while True:
            self._buffer = self._buffer.lstrip()
            if self._buffer:
                try:
                    doc, end = self._decoder.raw_decode(self._buffer)
                except json.JSONDecodeError as err:
                    if self._eof:
                        self.close()
                        raise EngineProtocolError(self.what, f"not JSON: {self._buffer[:80]!r}") from err
                else:
                    self._buffer = self._buffer[end:]
                    return doc
            if self._eof or self.closed:
                self.close()
                raise StopIteration
            chunk = self._response.read1(65536)
            if not chunk:
                self._eof = True
                self._buffer += self._text.decode(b"", final=True)
            else:
                self._buffer += self._text.decode(chunk)


class FrameStream(_Closing):
    """Log output as (stream, bytes): demultiplexed frames, or raw chunks for a TTY."""

    def __init__(self, response: Response, multiplexed: bool) -> None:
        super().__init__(response)
        self.multiplexed = multiplexed
        self._iter = iter_frames(response.read) if multiplexed else self._raw()

    def _raw(self) -> Iterator[tuple[Stream, bytes]]:
        while chunk := self._response.read1(65536):
            yield Stream.STDOUT, chunk

    def __iter__(self) -> Iterator[tuple[Stream, bytes]]:
        return self

    def __next__(self) -> tuple[Stream, bytes]:
        if self.closed:
            raise StopIteration
        try:
            return next(self._iter)
        except StopIteration:
            self.close()
            raise


class ByteStream(_Closing):
    """A binary body in chunks as they arrive (export, archives)."""

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        chunk = b"" if self.closed else self._response.read1(65536)
        if not chunk:
            self.close()
            raise StopIteration
        return chunk

    def read_all(self) -> bytes:
        return b"".join(self)
