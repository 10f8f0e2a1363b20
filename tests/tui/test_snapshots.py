"""How the pictures and screens look, from fixtures captured from a real engine
(tests/tui/fixtures/capture.py; SVG snapshots).

Update after an intended change with ``pytest tests/tui --snapshot-update`` and look at
the report before committing the new SVGs.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox.tui.app import make_app
from sandbox.tui.backend.fake import FakeBackend
from sandbox.tui.history import CommandHistory

from . import snapshot_apps as apps

HALF = (40, 22)
"""The picture pane's size in an 80x24 terminal."""


@pytest.mark.parametrize("build, size", [
    (apps.layers_image, HALF),
    (apps.layers_image, (100, 16)),
    (apps.layers_container, HALF),
    (apps.namespaces, HALF),
    (apps.cgroups, HALF),
    (lambda: apps.cgroups(oom=True), HALF),
    (apps.cgroups_ended, HALF),
    (apps.network, HALF),
    (apps.trace, (80, 30)),
], ids=["layers", "layers-wide", "layers-container-path", "namespaces", "cgroups", "cgroups-oom", "cgroups-oom-ended", "network",
        "trace"])
def test_picture(snap_compare, build, size) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(build(), terminal_size=size)


@pytest.mark.parametrize("build", [lambda: apps.namespaces("textual-light"),
                                   lambda: apps.cgroups(oom=True, theme="textual-light")],
                         ids=["namespaces-light", "cgroups-oom-light"])
def test_picture_on_the_light_theme(snap_compare, build) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(build(), terminal_size=HALF)


def _app(tmp_path: Path, **options: object):  # type: ignore[no-untyped-def]
    return make_app(FakeBackend(Path(__file__).parent / "fixtures"), meter_interval=None, watch_events=False,
                    history=CommandHistory.load(tmp_path / "h"), **options)


async def _settle(pilot) -> None:  # type: ignore[no-untyped-def]
    from .helpers import until

    app = pilot.app
    await until(pilot, lambda: getattr(app.screen, "state", True) is not None)
    for box in app.screen.query("CommandInput"):
        box.cursor_blink = False
    await until(pilot, lambda: all(p.notice != "Reading from the engine…" for p in app.screen.query("Picture")))
    await pilot.pause(0.1)


def test_lesson_list(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(_app(tmp_path), terminal_size=(80, 24), run_before=_settle)


@pytest.mark.parametrize("size", [(80, 24), (130, 42)], ids=["80x24", "130x42"])
def test_lesson_screen(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(_app(tmp_path, lesson="cgroups-memory"), terminal_size=size, run_before=_settle)
