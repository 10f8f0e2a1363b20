"""Driving the real TUI in tmux: a session of a fixed size on a private tmux server,
keys in (``send``/``type``), the screen out (``capture``), always killed afterwards.

    with tmux_session(["python", "-m", "sandbox.tui"], env, tmp_path) as tui:
        tui.wait_for("Lessons")
        tui.send("Enter")
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


def available() -> bool:
    return shutil.which("tmux") is not None


@dataclass
class TmuxSession:
    socket: Path
    """A private server: the tests never touch the user's own tmux sessions."""
    name: str = "sandbox-tui"
    width: int = 80
    height: int = 24

    def _tmux(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["tmux", "-S", str(self.socket), *args], capture_output=True, text=True, check=check,
                              timeout=30)

    def start(self, argv: Sequence[str], env: Mapping[str, str]) -> None:
        # `env` in front of the command: the server's environment is not the client's.
        command = shlex.join(["env", *(f"{k}={v}" for k, v in env.items()), *argv])
        self._tmux("-f", "/dev/null", "new-session", "-d", "-s", self.name, "-x", str(self.width), "-y",
                   str(self.height), command)
        # Keep the pane after the program exits so a crash can still be read.
        self._tmux("set-option", "-t", self.name, "remain-on-exit", "on")

    def send(self, *keys: str) -> None:
        """tmux key names: ``Enter``, ``F2``, ``Escape``, ``C-q``."""
        self._tmux("send-keys", "-t", self.name, *keys)

    def type(self, text: str) -> None:
        self._tmux("send-keys", "-t", self.name, "-l", text)

    def capture(self) -> str:
        return self._tmux("capture-pane", "-p", "-t", self.name).stdout

    def wait_for(self, text: str, timeout: float = 30.0, interval: float = 0.1) -> str:
        """The screen once ``text`` is on it; AssertionError with the last screen if not."""
        return self.wait_until(lambda screen: text in screen, repr(text), timeout, interval)

    def wait_until(self, condition: Callable[[str], bool], what: str, timeout: float = 30.0,
                   interval: float = 0.1) -> str:
        """The screen once ``condition(screen)`` holds; AssertionError with the last screen if not."""
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.capture()
            if condition(screen):
                return screen
            time.sleep(interval)
        raise AssertionError(f"{what} did not appear within {timeout}s; the screen was:\n{screen}")

    def alive(self) -> bool:
        """True while the program in the pane still runs (the pane is kept after it exits)."""
        out = self._tmux("list-panes", "-t", self.name, "-F", "#{pane_dead}", check=False).stdout.strip()
        return out == "0"

    def wait_exit(self, timeout: float = 15.0, interval: float = 0.1) -> bool:
        """True once the program has exited, False if it still runs after ``timeout``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                return True
            time.sleep(interval)
        return False

    def kill(self) -> None:
        self._tmux("kill-server", check=False)


@contextmanager
def tmux_session(argv: Sequence[str], env: Mapping[str, str], workdir: Path, *, width: int = 80,
                 height: int = 24) -> Iterator[TmuxSession]:
    session = TmuxSession(workdir / "tmux.sock", width=width, height=height)
    try:
        session.start(argv, env)
        yield session
    finally:
        session.kill()
