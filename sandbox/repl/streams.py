"""Output streams a cancelled command can no longer write to.

A command left behind after Ctrl-C (a quiet ``docker events``) must not print over the
next prompt. Its streams are gated: once the gate closes, a write raises
BrokenPipeError — which the docker grammar treats as "the reader went away" and ends
the command quietly, as ``docker events | head`` would end.
"""

from __future__ import annotations

import threading
from typing import IO, Any, TextIO


class Gate:
    def __init__(self) -> None:
        self._closed = threading.Event()

    def close(self) -> None:
        self._closed.set()

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    def check(self) -> None:
        if self._closed.is_set():
            raise BrokenPipeError("the shell stopped listening to this command (Ctrl-C)")


class _GatedBinary:
    def __init__(self, inner: IO[bytes], gate: Gate) -> None:
        self._inner = inner
        self._gate = gate

    def write(self, data: bytes) -> int:
        self._gate.check()
        return self._inner.write(data)

    def flush(self) -> None:
        if not self._gate.closed:
            self._inner.flush()

    def fileno(self) -> int:
        return _fileno(self._inner, self._gate)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def _fileno(inner: Any, gate: Gate) -> int:
    # After the gate closes the descriptor is no longer the command's: a command that
    # "silences" a broken stdout by pointing its descriptor at /dev/null (the lessons CLI
    # does) would otherwise silence the shell's own terminal.
    if gate.closed:
        raise ValueError("the shell stopped listening to this command")
    return int(inner.fileno())


class GatedText:
    """A text stream that forwards to ``inner`` until ``gate`` closes. Everything else
    (``fileno``, ``isatty``, ``encoding``) is the inner stream's, so a command sees the
    terminal it would see without the gate."""

    def __init__(self, inner: TextIO, gate: Gate) -> None:
        self._inner = inner
        self._gate = gate
        raw = getattr(inner, "buffer", None)
        self.buffer = _GatedBinary(raw, gate) if raw is not None else None

    def write(self, text: str) -> int:
        self._gate.check()
        return self._inner.write(text)

    def writelines(self, lines: list[str]) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        if not self._gate.closed:
            self._inner.flush()

    def fileno(self) -> int:
        return _fileno(self._inner, self._gate)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)
