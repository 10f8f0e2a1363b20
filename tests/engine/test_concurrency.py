"""Many clients at once: 50 `docker run --rm busybox true` started together all succeed,
and afterwards the host holds exactly what it held before (mounts, cgroups, processes)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import Engine, api_call, wait_for
from .test_acceptance_cli import docker, docker_env

pytestmark = [pytest.mark.root, pytest.mark.skipif(shutil.which("docker") is None,
                                                   reason="the docker CLI is not installed")]

RUNS = 50


def test_fifty_runs_at_once_succeed_and_leave_nothing(engine: Engine) -> None:
    docker(engine, "run", "--rm", "busybox", "true")  # warm: first-use work is not a leak
    before = engine.footprint()
    assert before.empty, before
    fds_before = _open_fds(engine)
    env = docker_env(engine)
    procs = [subprocess.Popen([shutil.which("docker") or "docker", "run", "--rm", "busybox", "true"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(RUNS)]
    results = [(p.wait(120), *p.communicate()) for p in procs]
    failed = [r for r in results if r[0] != 0]
    assert failed == [], f"{len(failed)} of {RUNS} failed; first: {failed[:1]}"
    assert all(out == "" and err == "" for _, out, err in results)
    assert docker(engine, "ps", "-aq").stdout == ""
    # --rm finishes just after `run` returns: wait until the last removal is done.
    wait_for(lambda: engine.footprint().empty, timeout=30, what=f"no leftovers: {engine.footprint()}")
    status, _ = api_call(engine.daemon.socket, "GET", "/_ping")
    assert status == 200
    # The engine's own descriptors come back to where they were (client connections,
    # attach sockets, exec pipes all closed); a few may belong to the thread pools.
    wait_for(lambda: _open_fds(engine) <= fds_before + 4, timeout=10,
             what=f"the engine's descriptors to settle ({_open_fds(engine)} vs {fds_before})")


def _open_fds(e: Engine) -> int:
    return len(list(Path(f"/proc/{e.daemon.proc.pid}/fd").iterdir()))
