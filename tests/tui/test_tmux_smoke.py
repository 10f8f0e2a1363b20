"""The real program in a real terminal (tmux): against the fake backend, and — as root —
`sandbox` with no arguments against a private real engine, the real course and a fresh
progress file."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from . import tmux
from .real_engine import RealEngine

pytestmark = pytest.mark.skipif(not tmux.available(), reason="tmux is not installed")

REPO = Path(__file__).resolve().parents[2]


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    # HOME and the XDG dirs in tmp_path: progress and history start empty and stay private.
    return {"TERM": "xterm-256color", "HOME": str(tmp_path), "XDG_STATE_HOME": str(tmp_path / "state"),
            "XDG_DATA_HOME": str(tmp_path / "data"), "PATH": os.environ.get("PATH", ""),
            "PYTHONPATH": str(REPO), "LANG": "C.UTF-8", **extra}


def test_the_lesson_list_appears_and_a_first_step_completes(tmp_path: Path, fixtures_dir: Path) -> None:
    env = _env(tmp_path, SANDBOX_TUI_FAKE=str(fixtures_dir))
    with tmux.tmux_session([sys.executable, "-m", "sandbox.tui"], env, tmp_path) as tui:
        screen = tui.wait_for("Your first container")
        assert "0 of 4 lessons done" in screen and "Images and layers" in screen
        tui.send("Enter")
        tui.wait_for("step 1/3")
        tui.type("docker run -d --name web busybox httpd -f")
        tui.send("Enter")
        # The tick, the command's result and the next step may come in separate frames.
        tui.wait_until(lambda screen: all(t in screen for t in ("✓ 1. Run a web server", "exit code 0",
                                                                 "▸ 2. Look inside")),
                       "the first step done, its exit code and the second step")
        tui.send("C-q")


@pytest.mark.root
def test_sandbox_on_a_real_engine_completes_a_first_step(tmp_path: Path, real_engine: RealEngine,
                                                         unique: str) -> None:
    env = _env(tmp_path, **real_engine.env)
    with tmux.tmux_session([sys.executable, "-m", "sandbox"], env, tmp_path) as tui:
        screen = tui.wait_for("Your first container")
        assert "lessons done" in screen, screen
        # The first lesson of the course is selected: open it.
        tui.send("Enter")
        screen = tui.wait_for("step 1/")
        assert "▸ 1. Run a container" in screen, screen
        tui.type(f"docker run --name hello busybox echo 'Hello {unique}'")
        tui.send("Enter")
        # The check reads the engine's real state: the container exited 0, its log says Hello.
        tui.wait_until(lambda screen: all(t in screen for t in ("✓ 1. Run a container", f"Hello {unique}",
                                                                 "exit code 0", "▸ 2.")),
                       "the first step done, its output and exit code, and the second step", timeout=60)
        tui.send("C-q")
        assert tui.wait_exit(), tui.capture()


@pytest.mark.root
def test_docker_run_it_suspends_the_tui_and_comes_back(tmp_path: Path, real_engine: RealEngine,
                                                       unique: str) -> None:
    env = _env(tmp_path, **real_engine.env)
    with tmux.tmux_session([sys.executable, "-m", "sandbox", "learn", "hello-container"], env, tmp_path) as tui:
        tui.wait_for("step 1/")
        tui.type("docker run -it --rm busybox sh")
        tui.send("Enter")
        # The TUI stepped aside: the container's shell has the terminal.
        tui.wait_for("/ #")
        tui.type(f"echo in-$((6*7))-{unique}")
        tui.send("Enter")
        tui.wait_for(f"in-42-{unique}")
        tui.type("exit")
        tui.send("Enter")
        screen = tui.wait_for("back from `docker run -it --rm busybox sh` (exit code 0)")
        assert "step 1/" in screen, screen
        tui.send("C-q")
        assert tui.wait_exit(), tui.capture()
