"""Fixtures for the engine's tests: a store holding busybox, the API over it in memory."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from sandbox.config import Settings
from sandbox.engine.api import build_app
from sandbox.engine.daemon import ping
from sandbox.engine.events import EventBus, TraceBus
from sandbox.engine.http.testing import TestClient
from sandbox.images._elf import is_static
from sandbox.images.bootstrap import bootstrap_busybox
from sandbox.storage import Store

BUSYBOX = Path("/bin/busybox")


def _have_busybox() -> bool:
    return BUSYBOX.is_file() and is_static(BUSYBOX)


@pytest.fixture(scope="session")
def busybox_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One store root with busybox:latest, built once; tests get copies."""
    if not _have_busybox():
        pytest.skip("busybox-static is not installed (apt-get install busybox-static)")
    root = tmp_path_factory.mktemp("busybox-template") / "root"
    bootstrap_busybox(Store(root, "copy"))
    return root


@pytest.fixture
def store_root(tmp_path: Path, busybox_template: Path) -> Path:
    dst = tmp_path / "root"
    shutil.copytree(busybox_template, dst, symlinks=True)
    return dst


@pytest.fixture
def store(store_root: Path) -> Store:
    return Store(store_root, "copy")


@pytest.fixture
def settings(tmp_path: Path, store_root: Path) -> Settings:
    return Settings(root=store_root, run_dir=tmp_path / "run")


@dataclass
class Api:
    client: TestClient
    store: Store
    events: EventBus
    trace: TraceBus
    settings: Settings


@pytest.fixture
def api(settings: Settings, store: Store) -> Iterator[Api]:
    """The engine API over a busybox store, served in memory."""
    events, trace = EventBus(), TraceBus()
    app = build_app(settings, store=store, events=events, trace=trace)
    with TestClient(app) as client:
        yield Api(client, store, events, trace, settings)


# -- a real daemon process --------------------------------------------------------------------


@dataclass
class Daemon:
    proc: subprocess.Popen[bytes]
    socket: Path
    root: Path
    env: dict[str, str]
    log: Path

    @property
    def docker_host(self) -> str:
        return f"unix://{self.socket}"

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20.0) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                return self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout)
                raise AssertionError(f"the daemon ignored signal {sig}:\n{self.log_text()}") from None
        return self.proc.returncode


def wait_for(check: Callable[[], object], timeout: float = 30.0, what: str = "condition") -> None:
    """Poll ``check`` until it is true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def start_daemon(tmp_path: Path, root: Path, *, group: str = "root", socket_path: Path | None = None,
                 wait: bool = True, name: str = "engine") -> Daemon:
    run = tmp_path / "run"
    sock = socket_path or run / "engine.sock"
    env = {**os.environ, "SANDBOX_ROOT": str(root), "SANDBOX_RUN": str(run)}
    log = tmp_path / f"{name}.log"
    with open(log, "ab") as out:
        proc = subprocess.Popen([sys.executable, "-m", "sandbox.engine.daemon", "engine", "--socket", str(sock),
                                 "--storage-driver", "copy", "--group", group],
                                env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    d = Daemon(proc, sock, root, env, log)
    if wait:
        try:
            wait_for(lambda: ping(sock, timeout=1.0) or proc.poll() is not None, what="the daemon's /_ping")
        except AssertionError:
            d.stop(signal.SIGKILL)
            raise
        assert proc.poll() is None, f"the daemon exited with {proc.returncode}:\n{d.log_text()}"
    return d


@pytest.fixture
def daemon(tmp_path: Path, store_root: Path) -> Iterator[Daemon]:
    """A real engine process on a socket in tmp_path, its state (busybox) in tmp_path."""
    d = start_daemon(tmp_path, store_root)
    try:
        yield d
    finally:
        d.stop()
