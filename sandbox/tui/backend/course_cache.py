"""The parsed course, kept between runs: the lesson list is the TUI's first paint, and
parsing fourteen lessons' YAML with line marks and checking them against the schema costs
most of a second on a small machine; reading them back from a pickle costs milliseconds.

Two things are kept: the whole parsed course (opening a lesson needs it) and its outline
(ids, titles, step ids: all the lesson list needs, in plain data that imports nothing to
read back). The cache file is named after a fingerprint of everything the parse depends on — every
file under the course folder and the lesson engine's own source (path, size, mtime) — so
an edited lesson or an updated ``sandbox.lessons`` is parsed afresh, and an unreadable or
outdated file is simply parsed over. Only files this process wrote are ever loaded: the
cache lives in the user's own cache directory (``$XDG_CACHE_HOME/sandbox``).
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

PREFIX = "course-"
"""Cache files are ``course-<kind>-<fingerprint>.pickle``; older ones of a kind are removed
when a new one is written."""


def cache_dir(env: Mapping[str, str]) -> Path | None:
    base = env.get("XDG_CACHE_HOME") or (str(Path(env["HOME"]) / ".cache") if env.get("HOME") else "")
    return Path(base) / "sandbox" if base else None


def _files(root: Path) -> Iterable[Path]:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d != "__pycache__")
        for name in sorted(filenames):
            yield Path(dirpath) / name


def fingerprint(*roots: Path) -> str:
    digest = hashlib.sha256()
    for root in roots:
        for path in _files(root):
            try:
                st = path.stat()
            except FileNotFoundError:
                continue  # removed while we walked: the next run sees the new state
            digest.update(f"{path}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:32]


@dataclass
class CourseCache:
    """``get(kind, make)``: what ``make()`` returned last time for the same course files, or
    ``make()``'s value, kept for next time. ``where`` None keeps nothing."""

    where: Path | None
    roots: tuple[Path, ...]
    _fingerprint: str | None = None

    def fingerprint(self) -> str:
        if self._fingerprint is None:
            self._fingerprint = fingerprint(*self.roots)
        return self._fingerprint

    def get(self, kind: str, make: Callable[[], T]) -> T:
        if self.where is None:
            return make()
        path = self.where / f"{PREFIX}{kind}-{self.fingerprint()}.pickle"
        try:
            with open(path, "rb") as f:
                return pickle.load(f)  # our own file, named after what it holds
        except FileNotFoundError:
            pass
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
            pass  # written by another version, or half-written: make it again and replace it
        value = make()
        _store(path, value, f"{PREFIX}{kind}-")
        return value


def _store(path: Path, value: Any, prefix: str) -> None:
    """Write atomically (a reader never sees half a file); a cache that cannot be written
    only costs the next start its speed."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        with open(tmp, "wb") as f:
            pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
        for old in path.parent.glob(f"{prefix}*.pickle"):
            if old != path:
                old.unlink(missing_ok=True)
    except (OSError, pickle.PicklingError):
        return
