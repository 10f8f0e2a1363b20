"""End to end, as a person: `sandbox shell` in tmux, on a private real engine, runs
`docker run -it busybox sh`, an echo inside, and exit — and is back at its prompt."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests.tui import tmux
from tests.tui.real_engine import RealEngine

pytestmark = [pytest.mark.root, pytest.mark.skipif(not tmux.available(), reason="tmux is not installed")]

REPO = Path(__file__).resolve().parents[2]
PROMPT = "sandbox>"


def test_docker_run_it_in_the_shell(tmp_path: Path, real_engine: RealEngine, unique: str) -> None:
    env = {"TERM": "xterm", "HOME": str(tmp_path), "XDG_STATE_HOME": str(tmp_path / "state"),
           "PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(REPO), "LANG": "C.UTF-8", **real_engine.env}
    with tmux.tmux_session([sys.executable, "-m", "sandbox", "shell"], env, tmp_path, width=100,
                           height=30) as shell:
        shell.wait_for(PROMPT)
        shell.type("docker run -it --rm busybox sh")
        shell.send("Enter")
        shell.wait_for("/ #")
        shell.type(f"echo hi-$((40+2))-{unique}")
        shell.send("Enter")
        # The shell inside expanded $((…)): the output came from the container, not the echo
        # of what was typed.
        screen = shell.wait_for(f"hi-42-{unique}", timeout=10)
        shell.type("exit")
        shell.send("Enter")
        # Back at a new prompt: the container's shell is gone and the terminal is the shell's again.
        screen = shell.wait_until(lambda s: s.count(PROMPT) >= 2, "a second prompt", timeout=20)
        prompts = [line.strip() for line in screen.splitlines() if line.startswith(PROMPT)]
        assert prompts[-1] == PROMPT, screen  # a fresh, empty prompt waits for input
        shell.type("exit")
        shell.send("Enter")
        assert shell.wait_exit(), shell.capture()
