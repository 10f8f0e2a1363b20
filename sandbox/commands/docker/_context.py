"""What one ``docker …`` invocation runs with: its streams, its environment, its client,
and the directory its relative local paths mean.

The REPL and the TUI pass their own streams (a StringIO to capture output) and a shared
client; the CLI passes the process's. The client is created only when a command needs it,
so ``docker --help`` or a bad flag never touches the engine.

Local paths (a build context, ``cp``'s host side, ``save -o``, ``--env-file`` …) resolve
against ``cwd``, never against the process's working directory: that one is shared by
every thread, and the lesson runner runs lines of different lessons' folders in-process.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
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
    cwd: Path = field(default_factory=lambda: process_cwd())
    """What a relative local path is relative to (absolute)."""
    _client: EngineClient | None = field(default=None, repr=False)

    @property
    def client(self) -> EngineClient:
        if self._client is None:
            self._client = self.make_client()
        return self._client

    def owns_client(self) -> bool:
        return self._client is not None

    def local_path(self, path: str | os.PathLike[str]) -> Path:
        """A local path given on the command line, made absolute against ``cwd`` and cleaned
        of ``.``/``..`` the way Go's ``filepath.Abs`` cleans it (so messages show the same)."""
        return Path(os.path.normpath(os.path.join(self.cwd, path)))

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


def process_cwd() -> Path:
    try:
        return Path(os.getcwd())
    except FileNotFoundError:
        # Started in a directory removed since: "." still names it for the kernel, so a
        # relative path fails with ENOENT when opened, as it does for the docker CLI.
        return Path(".")


def default_context(client: EngineClient | None = None, stdout: TextIO | None = None,
                    stderr: TextIO | None = None, stdin: TextIO | None = None,
                    env: Mapping[str, str] | None = None, host: str | None = None,
                    cwd: str | os.PathLike[str] | None = None) -> Context:
    environ = dict(os.environ if env is None else env)

    def make() -> EngineClient:
        return EngineClient(host, env=environ)

    base = process_cwd() if cwd is None else Path(os.path.abspath(cwd))
    ctx = Context(stdout=stdout or sys.stdout, stderr=stderr or sys.stderr, stdin=stdin,
                  env=environ, make_client=make, cwd=base)
    if client is not None:
        ctx._client = client
    return ctx
