"""Fixtures for the lesson engine: a fake engine, a progress store, lessons on disk."""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox.lessons.checks.base import CheckContext
from sandbox.lessons.progress import ProgressStore
from sandbox.lessons.testing import FakeState
from tests.lessons.helpers import Timers


@pytest.fixture
def state() -> FakeState:
    """A fresh fake engine: busybox and debian images, bridge/host/none networks."""
    return FakeState()


@pytest.fixture
def ctx(state: FakeState, tmp_path: Path) -> CheckContext:
    return CheckContext(state, tmp_path, since=0.0, lesson_since=0.0)


@pytest.fixture
def store(tmp_path: Path) -> ProgressStore:
    return ProgressStore(tmp_path / "data" / "sandbox" / "progress.json")


@pytest.fixture
def timers() -> Timers:
    return Timers()
