"""End to end, as a person: `sandbox shell` in tmux runs `docker run -it busybox sh`,
an echo inside, and exit — on whatever engine DOCKER_HOST (or the default socket)
names. Skipped when no engine answers there or it has no busybox image: the test never
pulls."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox.client import EngineClient
from sandbox.errors import SandboxError
from tests.helpers import wait_until

pytestmark = pytest.mark.root


def _engine_with_busybox() -> str:
    try:
        with EngineClient(timeout=3.0) as client:
            client.ping()
            client.images.inspect("busybox")
            return client.address
    except SandboxError as err:
        pytest.skip(f"no engine with a busybox image answers: {err.message}")


@pytest.fixture
def tmux(unique: str, tmp_path: Path) -> Iterator[str]:
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    address = _engine_with_busybox()
    repo = Path(__file__).resolve().parents[2]
    # A tmux server that already runs gives new sessions its own environment, not ours:
    # the variables go on the command line.
    settings = {"DOCKER_HOST": address, "XDG_STATE_HOME": str(tmp_path / "state"), "TERM": "xterm"}
    assignments = " ".join(f"{k}={shlex.quote(v)}" for k, v in settings.items())
    command = f"cd {shlex.quote(str(repo))} && env {assignments} {shlex.quote(sys.executable)} -m sandbox.repl"
    subprocess.run(["tmux", "new-session", "-d", "-s", unique, "-x", "100", "-y", "30", command], check=True)
    try:
        yield unique
    finally:
        subprocess.run(["tmux", "kill-session", "-t", unique], capture_output=True, check=False)


def screen(session: str) -> str:
    result = subprocess.run(["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True,
                            check=False)
    return result.stdout


def send(session: str, *keys: str) -> None:
    subprocess.run(["tmux", "send-keys", "-t", session, *keys], check=True)


def test_docker_run_it_in_the_shell(tmux: str, unique: str) -> None:
    assert wait_until(lambda: "sandbox>" in screen(tmux), timeout=20), screen(tmux)
    send(tmux, "docker run -it --rm busybox sh", "Enter")
    assert wait_until(lambda: "/ #" in screen(tmux), timeout=30), screen(tmux)
    send(tmux, f"echo hello-{unique}", "Enter")
    assert wait_until(lambda: f"\nhello-{unique}" in screen(tmux), timeout=10), screen(tmux)
    send(tmux, "exit", "Enter")
    # Back at a new prompt: the container's shell is gone and the terminal is the shell's again.
    assert wait_until(lambda: screen(tmux).count("sandbox>") >= 2, timeout=20), screen(tmux)
    send(tmux, "exit", "Enter")

    def gone() -> bool:
        return subprocess.run(["tmux", "has-session", "-t", tmux], capture_output=True, check=False).returncode != 0

    assert wait_until(gone, timeout=10), screen(tmux)
