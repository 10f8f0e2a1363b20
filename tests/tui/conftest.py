"""Fixtures for the TUI tests: the recorded engine data, a fake backend over it, and a
small factory for apps."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox.tui.app import SandboxApp, make_app
from sandbox.tui.backend.fake import FakeBackend

from .real_engine import busybox_overlay_store, real_engine  # noqa: F401  (fixtures for root e2e tests)

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture
def fake() -> Iterator[FakeBackend]:
    backend = FakeBackend(FIXTURES)
    yield backend
    backend.close()


@pytest.fixture
def app_for(fake: FakeBackend, tmp_path: Path):  # type: ignore[no-untyped-def]
    """``app_for(lesson=…)``: an app on the fake backend, with no timers (deterministic)."""
    from sandbox.tui.history import CommandHistory

    def build(**options: object) -> SandboxApp:
        options.setdefault("meter_interval", None)
        options.setdefault("history", CommandHistory.load(tmp_path / "history"))
        return make_app(fake, **options)

    return build

