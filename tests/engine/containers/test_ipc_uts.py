"""``--ipc host`` and ``--uts host`` in real containers (root only)."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from sandbox.errors import InvalidParameter

from .conftest import Harness, eventually, logged_output, namespace

pytestmark = pytest.mark.root

SLEEP = ["sleep", "300"]


def test_uts_host_shares_the_hosts_name(h: Harness, unique: str) -> None:
    cid = h.run(["hostname"], f"{unique}-uts", HostConfig={"UTSMode": "host"})
    assert h.svc.wait(cid, timeout=15)["StatusCode"] == 0
    info = h.svc.inspect(cid)
    assert info["HostConfig"]["UTSMode"] == "host"
    assert info["Config"]["Hostname"] == socket.gethostname()
    assert eventually(lambda: logged_output(h, cid), what="output") == socket.gethostname() + "\n"
    assert socket.gethostname() != cid[:12]  # the host kept its name: the container set none
    sleeper = h.run(SLEEP, f"{unique}-uts2", HostConfig={"UTSMode": "host"})
    pid = h.svc.inspect(sleeper)["State"]["Pid"]
    assert namespace(pid, "uts") == namespace(os.getpid(), "uts")
    assert namespace(pid, "ipc") != namespace(os.getpid(), "ipc")


def test_uts_host_refuses_a_hostname(h: Harness, unique: str) -> None:
    with pytest.raises(InvalidParameter, match="conflicting options: hostname and the UTS mode"):
        h.svc.create({"Image": "busybox", "Cmd": SLEEP, "Hostname": "box", "HostConfig": {"UTSMode": "host"}},
                     f"{unique}-x")
    assert h.svc.list(all=True) == []


def test_ipc_host_shares_the_hosts_ipc_and_dev_shm(h: Harness, unique: str) -> None:
    marker = Path("/dev/shm") / f"sandbox-test-{unique}"
    marker.write_text("from the host\n")
    try:
        cid = h.run(["cat", f"/dev/shm/{marker.name}"], f"{unique}-ipc", HostConfig={"IpcMode": "host"})
        assert h.svc.wait(cid, timeout=15)["StatusCode"] == 0
        assert eventually(lambda: logged_output(h, cid), what="output") == "from the host\n"
        assert h.svc.inspect(cid)["HostConfig"]["IpcMode"] == "host"
        sleeper = h.run(SLEEP, f"{unique}-ipc2", HostConfig={"IpcMode": "host"})
        pid = h.svc.inspect(sleeper)["State"]["Pid"]
        assert namespace(pid, "ipc") == namespace(os.getpid(), "ipc")
        assert namespace(pid, "uts") != namespace(os.getpid(), "uts")
        # A private container has a /dev/shm of its own: the host's file is not there.
        private = h.run(["sh", "-c", f"test -e /dev/shm/{marker.name} && echo seen || echo hidden"], f"{unique}-p")
        assert h.svc.wait(private, timeout=15)["StatusCode"] == 0
        assert eventually(lambda: logged_output(h, private), what="output") == "hidden\n"
    finally:
        marker.unlink()
