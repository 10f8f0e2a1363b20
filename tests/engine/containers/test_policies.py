"""Restart policies and --rm on real containers (root only)."""

from __future__ import annotations

import contextlib

import pytest

from sandbox.errors import ContainerNotModified, InvalidParameter, NoSuchContainer
from tests.engine.containers.conftest import eventually

pytestmark = pytest.mark.root


def test_on_failure_restarts_exactly_n_times(h) -> None:
    cid = h.run(["sh", "-c", "echo run; exit 1"], "flaky",
                HostConfig={"RestartPolicy": {"Name": "on-failure", "MaximumRetryCount": 2}})

    def settled() -> bool:
        i = h.svc.inspect(cid)
        return i["RestartCount"] == 2 and i["State"]["Status"] == "exited"

    eventually(settled, what="two restarts then exited")
    # The back-off after the third exit would be 400 ms: wait out twice that, nothing more happens.
    with pytest.raises(TimeoutError):
        h.svc.wait(cid, "next-exit", timeout=1.0)
    assert h.svc.inspect(cid)["RestartCount"] == 2
    assert h.actions(cid).count("start") == 3 and h.actions(cid).count("die") == 3
    assert [p for _, p, _ in h.svc.logs(cid)] == [b"run\n"] * 3  # one log across the runs


def test_always_comes_back_until_stopped(h) -> None:
    cid = h.run(["sh", "-c", "exit 0"], "again", HostConfig={"RestartPolicy": {"Name": "always"}})
    eventually(lambda: h.svc.inspect(cid)["RestartCount"] >= 2, what="restarts")
    with contextlib.suppress(ContainerNotModified):  # caught between two runs: already stopped
        h.svc.stop(cid, t=1)
    count = h.svc.inspect(cid)["RestartCount"]
    state = h.svc.inspect(cid)["State"]
    assert not state["Running"] and not state["Restarting"]
    with pytest.raises(TimeoutError):
        h.svc.wait(cid, "next-exit", timeout=0.5)
    assert h.svc.inspect(cid)["RestartCount"] == count


def test_auto_remove(h) -> None:
    body = {"Image": "busybox", "Cmd": ["sh", "-c", "exit 4"], "HostConfig": {"AutoRemove": True}}
    cid = h.svc.create(body, "gone")["Id"]
    removed = h.svc.wait_future(cid, "removed")
    h.svc.start(cid)
    assert removed.result(10)["StatusCode"] == 4
    with pytest.raises(NoSuchContainer):
        h.svc.inspect("gone")
    assert h.actions(cid)[-2:] == ["die", "destroy"]


def test_rm_and_restart_policy_refused_together(h) -> None:
    with pytest.raises(InvalidParameter, match="cannot specify both --restart and --rm"):
        h.svc.create({"Image": "busybox",
                      "HostConfig": {"AutoRemove": True, "RestartPolicy": {"Name": "always"}}})
