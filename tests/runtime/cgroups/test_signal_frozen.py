"""Freeze, signal, thaw as one step that a second killer of the same cgroup waits for."""

from __future__ import annotations

import fcntl
import os
import signal
from pathlib import Path

from sandbox.linux.trace import Tracer
from sandbox.runtime.cgroups import common


class Probe:
    """A freezable cgroup that checks, at each step, whether another party could lock it."""

    def __init__(self, dir: Path) -> None:
        self.dir = dir
        self.steps: list[tuple[str, bool]] = []

    def _lockable(self) -> bool:
        fd = os.open(self.dir, os.O_RDONLY | os.O_DIRECTORY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        finally:
            os.close(fd)
        return True

    def is_frozen(self) -> bool:
        return False

    def freeze(self) -> None:
        self.steps.append(("freeze", self._lockable()))

    def thaw(self) -> None:
        self.steps.append(("thaw", self._lockable()))

    def pids(self) -> list[int]:
        return []


def test_the_freezer_directory_is_locked_from_freeze_to_thaw(tmp_path: Path) -> None:
    cg = Probe(tmp_path)
    common.signal_frozen(cg, signal.SIGKILL, Tracer(), str(tmp_path))
    assert cg.steps == [("freeze", False), ("thaw", False)]
    assert cg._lockable()  # and let go afterwards


def test_a_missing_directory_does_not_stop_the_signal(tmp_path: Path) -> None:
    cg = Probe(tmp_path)
    common.signal_frozen(cg, signal.SIGKILL, Tracer(), str(tmp_path / "gone"))
    assert [step for step, _ in cg.steps] == ["freeze", "thaw"]
