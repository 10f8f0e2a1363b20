"""Atomic file replacement and the store's lock.

A reader must never see half a record: every file is written to a temporary name in the
same directory and renamed over the old one, which the kernel does atomically within one
file system. Writers that read-modify-write (index.json, layer records) hold one flock on
the store so two processes cannot lose each other's changes.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any, Self


TMP_PREFIX = ".tmp-"
"""Temporary files are ``.tmp-<name>-<pid>-<thread>``: a crash may leave one behind, and
whoever cleans the directory finds them by this prefix."""


def write_atomic(path: Path, data: bytes, fsync: bool = False, mode: int = 0o644) -> None:
    tmp = path.with_name(f"{TMP_PREFIX}{path.name}-{os.getpid()}-{threading.get_ident()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC | os.O_NOFOLLOW, mode)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        if fsync:
            os.fsync(fd)
    except BaseException:
        os.close(fd)
        tmp.unlink(missing_ok=True)
        raise
    os.close(fd)
    os.replace(tmp, path)


def dump_json(obj: Any) -> bytes:
    return json.dumps(obj, indent=None, separators=(",", ":"), sort_keys=True).encode()


def write_json(path: Path, obj: Any, fsync: bool = False) -> None:
    write_atomic(path, dump_json(obj), fsync=fsync)


class StoreLock:
    """An exclusive flock on one file, re-entrant within a process.

    flock locks belong to an open file description, so a second ``open`` of the same file
    in the same process would block on the first: nesting is counted here instead and the
    file is locked once. Different processes (or ``Store`` objects) exclude each other."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._mutex = threading.RLock()
        self._depth = 0
        self._fd: int | None = None

    def __enter__(self) -> Self:
        import fcntl

        self._mutex.acquire()
        try:
            if self._depth == 0:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX)
                except BaseException:
                    os.close(fd)
                    raise
                self._fd = fd
            self._depth += 1
        except BaseException:
            self._mutex.release()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self._depth -= 1
        if self._depth == 0 and self._fd is not None:
            # Closing the last descriptor of the open file description drops the flock.
            os.close(self._fd)
            self._fd = None
        self._mutex.release()
