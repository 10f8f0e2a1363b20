"""kill -9 the engine while containers run, start it again: nothing is lost.

Running containers are re-adopted (their exits are still noticed afterwards), one that
ended while no engine was there is reported exited with its code, and every log is kept.
"""

from __future__ import annotations

import json
import shutil
import signal
from pathlib import Path

import pytest

from .conftest import Engine, wait_for
from .test_acceptance_cli import docker

pytestmark = [pytest.mark.root, pytest.mark.skipif(shutil.which("docker") is None,
                                                   reason="the docker CLI is not installed")]

WAITER = "echo hello-{n}; while [ ! -f /tmp/go ]; do sleep 0.05; done; echo bye-{n}; exit 4"


def _states(e: Engine) -> dict[str, tuple[str, int]]:
    out = docker(e, "ps", "-a", "--format", "{{.Names}}").stdout.split()
    docs = json.loads(docker(e, "inspect", *out).stdout) if out else []
    return {d["Name"].lstrip("/"): (d["State"]["Status"], d["State"]["ExitCode"]) for d in docs}


def test_kill_9_then_restart_keeps_everything(engine: Engine) -> None:
    ids = {}
    for n in range(5):
        ids[f"c{n}"] = docker(engine, "run", "-d", "--name", f"c{n}", "busybox", "sh", "-c",
                              WAITER.format(n=n)).stdout.strip()
    for n in range(5):
        wait_for(lambda n=n: docker(engine, "logs", f"c{n}").stdout == f"hello-{n}\n", what=f"c{n}'s greeting")
    pid4 = int(docker(engine, "inspect", "-f", "{{.State.Pid}}", "c4").stdout)

    engine.daemon.stop(signal.SIGKILL)
    # While no engine runs, c4 finishes: the next engine must find it exited, not running.
    Path(f"/proc/{pid4}/root/tmp/go").touch()
    wait_for(lambda: not Path(f"/proc/{pid4}").exists(), what="c4 to end")
    engine.daemon.respawn()

    states = _states(engine)
    assert set(states) == set(ids)
    assert {n: s for n, s in states.items() if n != "c4"} == {f"c{n}": ("running", 0) for n in range(4)}
    assert states["c4"] == ("exited", 4)
    assert {docker(engine, "inspect", "-f", "{{.Id}}", n).stdout.strip() for n in ids} == set(ids.values())
    assert docker(engine, "logs", "c4").stdout == "hello-4\nbye-4\n"
    for n in range(4):
        assert docker(engine, "logs", f"c{n}").stdout == f"hello-{n}\n"

    # Re-adopted means watched: an exit after the restart is recorded with its code, and
    # output written after it reaches the log.
    docker(engine, "exec", "-d", "c0", "touch", "/tmp/go")  # -d: the container may end before touch does
    assert docker(engine, "wait", "c0").stdout.strip() == "4"
    assert docker(engine, "logs", "c0").stdout == "hello-0\nbye-0\n"
    docker(engine, "stop", "-t", "1", "c1")
    assert _states(engine)["c1"][0] == "exited"
    assert docker(engine, "images", "--format", "{{.Repository}}").stdout == "busybox\n"
