"""Progress per user: which steps are done, hints seen, and what a reset needs to know.

Kept in ``$XDG_DATA_HOME/sandbox/progress.json`` (``~/.local/share/sandbox/progress.json``).
Learners elsewhere lose work to expiring sessions and half-written files, so:

- every write goes to a temporary file in the same directory, is fsynced, then renamed
  over the old one (a crash leaves the old file or the new one, never half of each);
- read-modify-write happens under an exclusive ``flock`` on a side lock file, so the TUI and
  a CLI in another terminal do not overwrite each other's steps;
- a file that does not parse is copied aside (``progress.json.corrupt-<time>``) *before*
  anything can overwrite it, and the problem is reported, never silently dropped;
- ``export``/``merge_from`` move progress between machines; merging keeps every step done
  on either side.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sandbox.errors import ProgressCorrupt

FORMAT_VERSION = 1


@dataclass
class StepRecord:
    done_at: float | None = None
    hints: int = 0
    """How many hint tiers were revealed."""
    solved: bool = False
    """Passed by running the reference solution rather than by the learner."""


@dataclass
class LessonRecord:
    started_at: float | None = None
    completed_at: float | None = None
    current: str | None = None
    """The current step's id (ids survive steps being added or reordered)."""
    step_started_at: float | None = None
    steps: dict[str, StepRecord] = field(default_factory=dict)
    snapshot: dict[str, Any] | None = None
    """What existed before the lesson began (``inventory.Inventory``): reset keeps it."""
    step_snapshot: dict[str, Any] | None = None
    """What existed when the current step began: a step reset keeps it."""

    def step(self, step_id: str) -> StepRecord:
        return self.steps.setdefault(step_id, StepRecord())


@dataclass
class Progress:
    lessons: dict[str, LessonRecord] = field(default_factory=dict)

    def lesson(self, lesson_id: str) -> LessonRecord:
        return self.lessons.setdefault(lesson_id, LessonRecord())

    def to_json(self) -> dict[str, Any]:
        return {"version": FORMAT_VERSION, "lessons": {k: asdict(v) for k, v in sorted(self.lessons.items())}}

    @classmethod
    def from_json(cls, doc: Any) -> Progress:
        """Raises ValueError naming what is wrong."""
        if not isinstance(doc, dict) or not isinstance(doc.get("lessons"), dict):
            raise ValueError("expected an object with a 'lessons' object")
        version = doc.get("version", FORMAT_VERSION)
        if not isinstance(version, int) or isinstance(version, bool):
            raise ValueError(f"version is {version!r}, expected a number")
        if version > FORMAT_VERSION:
            raise ValueError(f"written by a newer sandbox (format {version})")
        out = cls()
        for lesson_id, rec in doc["lessons"].items():
            if not isinstance(rec, dict):
                raise ValueError(f"lessons.{lesson_id} is not an object")
            try:
                steps = {str(k): StepRecord(**v) for k, v in (rec.get("steps") or {}).items()}
                out.lessons[str(lesson_id)] = LessonRecord(**{**rec, "steps": steps})
            except TypeError as err:
                raise ValueError(f"lessons.{lesson_id}: {err}") from err
        return out


def default_path(env: Mapping[str, str] | None = None) -> Path:
    environ = os.environ if env is None else env
    base = environ.get("XDG_DATA_HOME") or str(Path(environ.get("HOME") or Path.home()) / ".local" / "share")
    return Path(base) / "sandbox" / "progress.json"


class ProgressStore:
    """One progress file. ``warnings`` collects ProgressCorrupt reports for the front end."""

    def __init__(self, path: Path, clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self.clock = clock
        self.warnings: list[ProgressCorrupt] = []
        self._backups: dict[str, str] = {}
        """sha256 of corrupt content -> where it was copied (one copy per content)."""

    # -- reading ----------------------------------------------------------------------------

    def load(self) -> Progress:
        """The progress on disk (empty if there is none). A corrupt file is copied aside
        first and then reported by raising ProgressCorrupt."""
        try:
            raw = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return Progress()
        except (OSError, UnicodeDecodeError) as err:
            raise self._corrupt(f"cannot be read: {err}") from err
        try:
            return Progress.from_json(json.loads(raw))
        except json.JSONDecodeError as err:
            raise self._corrupt(f"not JSON at line {err.lineno}: {err.msg}") from err
        except ValueError as err:
            raise self._corrupt(str(err)) from err

    def load_or_recover(self) -> Progress:
        """Like load, but a corrupt file yields empty progress and a warning in ``warnings``
        (once per corrupt content: the next save replaces it, its copy is kept)."""
        try:
            return self.load()
        except ProgressCorrupt as err:
            if all(w.backup != err.backup for w in self.warnings):
                self.warnings.append(err)
            return Progress()

    def _corrupt(self, reason: str) -> ProgressCorrupt:
        try:
            digest = hashlib.sha256(self.path.read_bytes()).hexdigest()
        except OSError:
            digest = ""
        if digest and digest in self._backups:
            return ProgressCorrupt(str(self.path), reason, self._backups[digest])
        stamp = time.strftime("%Y%m%dT%H%M%S", time.localtime(self.clock()))
        backup = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        n = 1
        while backup.exists():
            n += 1
            backup = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{n}")
        try:
            shutil.copy2(self.path, backup)
        except OSError:
            return ProgressCorrupt(str(self.path), reason, None)
        if digest:
            self._backups[digest] = str(backup)
        return ProgressCorrupt(str(self.path), reason, str(backup))

    # -- writing ----------------------------------------------------------------------------

    def save(self, progress: Progress) -> None:
        write_atomic(self.path, json.dumps(progress.to_json(), indent=2, ensure_ascii=False) + "\n")

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_name(self.path.name + ".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def update(self, change: Callable[[Progress], None]) -> Progress:
        """Read, change and write back under the lock; returns what was written."""
        with self._locked():
            progress = self.load_or_recover()
            change(progress)
            self.save(progress)
            return progress

    # -- moving between machines ----------------------------------------------------------------

    def export(self, dest: Path) -> Progress:
        progress = self.load()
        write_atomic(dest, json.dumps(progress.to_json(), indent=2, ensure_ascii=False) + "\n")
        return progress

    def merge_from(self, src: Path) -> list[str]:
        """Merge an exported file into ours; returns the lessons that changed. A bad file
        raises ProgressCorrupt and changes nothing."""
        try:
            incoming = Progress.from_json(json.loads(src.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError, ValueError) as err:
            raise ProgressCorrupt(str(src), str(err), None) from err
        changed: list[str] = []

        def merge(progress: Progress) -> None:
            for lesson_id, theirs in incoming.lessons.items():
                if _merge_lesson(progress.lesson(lesson_id), theirs):
                    changed.append(lesson_id)

        self.update(merge)
        return changed


def _earliest(a: float | None, b: float | None) -> float | None:
    return min(x for x in (a, b) if x is not None) if (a is not None or b is not None) else None


def _merge_lesson(ours: LessonRecord, theirs: LessonRecord) -> bool:
    """Done anywhere counts as done; machine-local things (snapshots) stay ours."""
    before = asdict(ours)
    ours.started_at = _earliest(ours.started_at, theirs.started_at)
    ours.completed_at = _earliest(ours.completed_at, theirs.completed_at)
    for step_id, rec in theirs.steps.items():
        mine = ours.step(step_id)
        mine.done_at = _earliest(mine.done_at, rec.done_at)
        mine.hints = max(mine.hints, rec.hints)
        mine.solved = mine.solved or rec.solved
    if ours.current is None:
        ours.current = theirs.current
    return asdict(ours) != before


def write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    # The rename is durable only once the directory entry is on disk too.
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
