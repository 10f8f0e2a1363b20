"""The real program in a real terminal (tmux), against the fake backend."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from . import tmux

pytestmark = pytest.mark.skipif(not tmux.available(), reason="tmux is not installed")


def test_the_lesson_list_appears_and_a_first_step_completes(tmp_path: Path, fixtures_dir: Path) -> None:
    env = {"SANDBOX_TUI_FAKE": str(fixtures_dir), "TERM": "xterm-256color", "HOME": str(tmp_path),
           "PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
           "LANG": "C.UTF-8"}
    with tmux.tmux_session([sys.executable, "-m", "sandbox.tui"], env, tmp_path) as tui:
        screen = tui.wait_for("Your first container")
        assert "0 of 4 lessons done" in screen and "Images and layers" in screen
        tui.send("Enter")
        tui.wait_for("step 1/3")
        tui.type("docker run -d --name web busybox httpd -f")
        tui.send("Enter")
        screen = tui.wait_for("✓ 1. Run a web server")
        assert "exit code 0" in screen and "▸ 2. Look inside" in screen
        tui.send("C-q")
