"""A private, real engine for the front ends' end-to-end tests: its own state root (busybox
bootstrapped offline, never pulled), run directory, socket, cgroup parent and default bridge,
so it never meets the learner's engine or another test's.

    @pytest.fixture
    def real_engine(...): ...       # re-exported by tests/tui/conftest.py and tests/repl/conftest.py

Built on the engine tests' daemon helpers (tests/engine/conftest.py); teardown removes every
container, stops the daemon, deletes the bridge it made and checks nothing was left.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.engine.conftest import Daemon


@dataclass
class RealEngine:
    daemon: Daemon
    unique: str
    run_dir: Path
    bridge: str

    @property
    def docker_host(self) -> str:
        return self.daemon.docker_host

    @property
    def env(self) -> dict[str, str]:
        """What a front end needs to talk to this engine (and only to it)."""
        return {"DOCKER_HOST": self.docker_host}


def engine_env(unique: str) -> dict[str, str]:
    """A bridge name and subnet of its own: the default ``sandbox0`` belongs to the learner's
    engine and other tests. The subnet's third octet comes from the unique name."""
    octet = int(hashlib.sha256(unique.encode()).hexdigest()[:4], 16) % 250 + 2
    return {"SANDBOX_CGROUP_PARENT": f"sandbox/{unique}", "SANDBOX_BRIDGE": f"sb{unique[1:11]}"[:15],
            "SANDBOX_BRIDGE_SUBNET": f"10.217.{octet}.0/24", "SANDBOX_NETWORK_POOL": f"10.218.{octet}.0/24"}


@pytest.fixture(scope="session")
def busybox_overlay_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store root holding busybox:latest (overlay driver), bootstrapped once per session."""
    # The engine's modules load only when an end-to-end test runs: the other front-end
    # tests do not depend on them.
    from tests.engine.conftest import _have_busybox

    if not _have_busybox():
        pytest.skip("busybox-static is not installed (apt-get install busybox-static)")
    from sandbox.images.bootstrap import bootstrap_busybox
    from sandbox.storage import Store

    root = tmp_path_factory.mktemp("fe-busybox") / "root"
    bootstrap_busybox(Store(root, "overlay"))
    return root


@pytest.fixture
def real_engine(tmp_path: Path, busybox_overlay_store: Path, unique: str) -> Iterator[RealEngine]:
    if os.geteuid() != 0:
        pytest.skip("needs root")
    from tests.engine.conftest import Footprint, purge, remove_all_containers, short_dir, start_daemon

    root = tmp_path / "root"
    shutil.copytree(busybox_overlay_store, root, symlinks=True)
    run = short_dir("sf-")
    extra = engine_env(unique)
    try:
        daemon = start_daemon(tmp_path, root, run_dir=run, storage_driver="overlay", extra_env=extra)
    except BaseException:
        shutil.rmtree(run, ignore_errors=True)
        raise
    engine = RealEngine(daemon, unique, run, extra["SANDBOX_BRIDGE"])
    try:
        yield engine
    finally:
        problems = remove_all_containers(daemon) if daemon.proc.poll() is None else []
        daemon.stop()
        dirs = [tmp_path, run]
        left = Footprint.take(unique, dirs)
        purge(unique, dirs)
        subprocess.run(["ip", "link", "del", engine.bridge], capture_output=True, check=False)
        shutil.rmtree(run, ignore_errors=True)
        assert not problems, problems
        assert left.empty, f"left behind: {left}"
