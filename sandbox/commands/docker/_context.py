"""What one ``docker …`` invocation runs with: its streams, its environment, its client.

The REPL and the TUI pass their own streams (a StringIO to capture output) and a shared
client; the CLI passes the process's. The client is created only when a command needs it,
so ``docker --help`` or a bad flag never touches the engine.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import IO, TextIO

from sandbox.client import EngineClient


@dataclass
class Context:
    stdout: TextIO
    stderr: TextIO
    stdin: TextIO | None
    env: Mapping[str, str]
    make_client: Callable[[], EngineClient]
    command: str = ""
    """The subcommand running now (``ps``, ``image ls``), for error hints."""
    _client: EngineClient | None = field(default=None, repr=False)

    @property
    def client(self) -> EngineClient:
        if self._client is None:
            self._client = self.make_client()
        return self._client

    def owns_client(self) -> bool:
        return self._client is not None

    # -- output ---------------------------------------------------------------------------

    def out(self, text: str = "", end: str = "\n") -> None:
        self.stdout.write(text + end)

    def err(self, text: str = "", end: str = "\n") -> None:
        self.stderr.write(text + end)

    def write_bytes(self, data: bytes, stream: TextIO | None = None) -> None:
        """Process output goes out byte for byte where the stream has a buffer (a terminal,
        a pipe); a captured text stream gets it decoded."""
        target = self.stdout if stream is None else stream
        buffer: IO[bytes] | None = getattr(target, "buffer", None)
        if buffer is not None:
            target.flush()
            buffer.write(data)
            buffer.flush()
        else:
            target.write(data.decode("utf-8", "replace"))

    def flush(self) -> None:
        for stream in (self.stdout, self.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                # A closed pipe or stream has nothing left to flush into.
                pass

    # -- terminals ------------------------------------------------------------------------

    def stdin_is_tty(self) -> bool:
        return _isatty(self.stdin)

    def stdout_is_tty(self) -> bool:
        return _isatty(self.stdout)


def _isatty(stream: object) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty()) if callable(isatty) else False
    except (OSError, ValueError):
        return False


def default_context(client: EngineClient | None = None, stdout: TextIO | None = None,
                    stderr: TextIO | None = None, stdin: TextIO | None = None,
                    env: Mapping[str, str] | None = None, host: str | None = None) -> Context:
    environ = dict(os.environ if env is None else env)

    def make() -> EngineClient:
        return EngineClient(host, env=environ)

    ctx = Context(stdout=stdout or sys.stdout, stderr=stderr or sys.stderr, stdin=stdin,
                  env=environ, make_client=make)
    if client is not None:
        ctx._client = client
    return ctx
