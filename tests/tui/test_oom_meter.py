"""The cgroup meter shows an OOM kill within one second of the engine's event, on a real
engine, through the real client backend, with the TUI driven by Pilot.

The bound is the functional requirement (a learner sees the kill as it happens), checked
from when the `oom` event reached the app to when the meter first showed it; the meter's
own timer (one sample a second) is what the event must beat or match.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sandbox.client import EngineClient
from sandbox.tui.app import make_app
from sandbox.tui.backend.client import ClientBackend
from sandbox.tui.history import CommandHistory
from sandbox.tui.pictures.pane import PicturePane
from sandbox.tui.screens.lesson import LessonScreen
from sandbox.tui.widgets.command_input import CommandInput

from .helpers import run_async, until
from .real_engine import RealEngine

pytestmark = pytest.mark.root

WITHIN = 1.0
"""Seconds from the event's arrival to the meter showing the kill."""
OOM = "docker run --name hog -m 16m busybox tail /dev/zero"


class _Timed:
    """An event stream that notes when each event arrived (monotonic), then passes it on."""

    def __init__(self, stream: Any, arrivals: list[tuple[float, dict[str, Any]]]) -> None:
        self._stream = stream
        self._arrivals = arrivals

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for event in self._stream:
            self._arrivals.append((time.monotonic(), event))
            yield event

    def close(self) -> None:
        self._stream.close()


class TimedBackend(ClientBackend):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.arrivals: list[tuple[float, dict[str, Any]]] = []

    def events(self) -> _Timed:  # type: ignore[override]
        return _Timed(super().events(), self.arrivals)

    def oom_arrived(self, name: str) -> float | None:
        for at, event in list(self.arrivals):
            if event.get("Action") == "oom" and (event.get("Actor") or {}).get("Attributes", {}).get("name") == name:
                return at
        return None


def _shows_oom(pane: PicturePane) -> bool:
    view = pane.picture("cgroups").view
    if view is None or view.container != "hog":
        return False
    return bool(view.ended is not None and view.ended.oom_killed) or view.sample.oom_kills > 0


@run_async
async def test_the_meter_shows_an_oom_kill_within_a_second_of_the_event(tmp_path: Path,
                                                                         real_engine: RealEngine) -> None:
    env = {**real_engine.env, "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data")}
    backend = TimedBackend(EngineClient(env=env), env=env)
    app = make_app(backend, lesson="cgroups", history=CommandHistory.load(tmp_path / "history"))
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            assert await until(pilot, lambda: isinstance(app.screen, LessonScreen) and app.screen.state is not None,
                               timeout=20)
            screen = app.screen
            pane = screen.query_one(PicturePane)
            # The event stream must be open before the command runs, or its events are missed.
            assert await until(pilot, lambda: app._stream is not None, timeout=10)
            screen.query_one(CommandInput).value = OOM
            await pilot.press("enter")
            shown: float | None = None

            def settled() -> bool:
                nonlocal shown
                if shown is None and _shows_oom(pane):
                    shown = time.monotonic()
                return shown is not None and backend.oom_arrived("hog") is not None

            assert await until(pilot, settled, timeout=60), (pane.picture("cgroups").view,
                                                              pane.picture("cgroups").notice)
            arrived = backend.oom_arrived("hog")
            assert arrived is not None and shown is not None
            assert shown - arrived <= WITHIN, f"the meter showed the kill {shown - arrived:.2f}s after the event"
            # Then the container is gone, and the meter says how it ended.
            def ended() -> bool:
                view = pane.picture("cgroups").view
                return view is not None and view.ended is not None and view.ended.exit_code == 137

            assert await until(pilot, ended, timeout=10), pane.picture("cgroups").view
    finally:
        app.stop_watching()
        backend.close()
