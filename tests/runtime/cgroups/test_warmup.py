"""The migration warm-up: an anchor of ours in a cgroup of ours, moved where it already is."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sandbox.runtime.cgroups import detect_mode, open_manager
from sandbox.runtime.cgroups.poll import wait_for
from sandbox.runtime.cgroups.warmup import ANCHOR_CGROUP, MigrationWarmup

pytestmark = pytest.mark.root


def _procs(path: Path) -> list[int]:
    return [int(p) for p in (path / "cgroup.procs").read_text().split()]


def test_the_anchor_lives_in_its_own_cgroup_and_leaves_with_close(unique: str) -> None:
    mode = detect_mode()
    parent = f"sandbox/{unique}"
    warm = MigrationWarmup.start(lambda name: open_manager(name, parent=parent, mode=mode))
    paths = list(warm.cgroup.paths().values())
    try:
        assert all(p.name == ANCHOR_CGROUP and p.parent.name == unique for p in paths)
        assert all(_procs(p) == [warm.anchor.pid] for p in paths)
        warm.kick()
        warm.kick()  # a second kick while one is under way is a no-op, not a second thread
        assert wait_for(lambda: warm._busy.acquire(blocking=False), 5)
        warm._busy.release()
        assert all(_procs(p) == [warm.anchor.pid] for p in paths)  # moved where it was
    finally:
        warm.close()
        for p in paths:
            if p.parent.exists():
                p.parent.rmdir()
    assert warm.anchor.returncode == 0  # end-of-file on its stdin, not a kill
    assert not any(p.exists() for p in paths)


def test_a_killed_engines_anchor_cgroup_is_cleared_at_the_next_start(unique: str) -> None:
    mode = detect_mode()
    parent = f"sandbox/{unique}"
    opener = lambda name: open_manager(name, parent=parent, mode=mode)  # noqa: E731
    first = MigrationWarmup.start(opener)
    old_pid = first.anchor.pid
    second = MigrationWarmup.start(opener)  # as after a kill -9: the first never closed
    paths = list(second.cgroup.paths().values())
    try:
        assert first.anchor.wait(5) is not None  # killed by the clearing
        assert all(_procs(p) == [second.anchor.pid] for p in paths)
        assert second.anchor.pid != old_pid
    finally:
        second.close()
        if first.anchor.stdin is not None:
            first.anchor.stdin.close()
        for p in paths:
            if p.parent.exists():
                p.parent.rmdir()
    assert not any(os.path.exists(p) for p in paths)
