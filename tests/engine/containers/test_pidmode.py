"""``--pid host`` and ``--pid container:X`` in real containers (root only)."""

from __future__ import annotations

import os

import pytest

from sandbox.errors import InvalidParameter, NoSuchContainer

from .conftest import Harness, eventually, logged_output, namespace

pytestmark = pytest.mark.root

SLEEP = ["sleep", "300"]


def test_pid_host_shares_the_hosts_pid_namespace_and_proc(h: Harness, unique: str) -> None:
    cid = h.run(SLEEP, f"{unique}-hp", HostConfig={"PidMode": "host"})
    info = h.svc.inspect(cid)
    pid = info["State"]["Pid"]
    assert info["HostConfig"]["PidMode"] == "host"
    assert namespace(pid, "pid") == namespace(os.getpid(), "pid")
    assert namespace(pid, "mnt") != namespace(os.getpid(), "mnt")
    assert namespace(pid, "uts") != namespace(os.getpid(), "uts")
    # The container's own /proc lists the host's processes: this test's among them.
    reader = h.run(["sh", "-c", f"test -d /proc/{os.getpid()} && echo seen"], f"{unique}-hp2",
                   HostConfig={"PidMode": "host"})
    assert h.svc.wait(reader, timeout=15)["StatusCode"] == 0
    assert logged_output(h, reader) == "seen\n"


def test_a_private_pid_namespace_does_not_see_the_host(h: Harness, unique: str) -> None:
    reader = h.run(["sh", "-c", f"test -d /proc/{os.getpid()} && echo seen || echo hidden"], f"{unique}-pp")
    assert h.svc.wait(reader, timeout=15)["StatusCode"] == 0
    assert logged_output(h, reader) == "hidden\n"


def test_pid_container_joins_the_other_containers_namespace(h: Harness, unique: str) -> None:
    first = h.run(SLEEP, f"{unique}-a")
    second = h.run(SLEEP, f"{unique}-b", HostConfig={"PidMode": f"container:{unique}-a"})
    pid_a, pid_b = (h.svc.inspect(c)["State"]["Pid"] for c in (first, second))
    assert namespace(pid_a, "pid") == namespace(pid_b, "pid") != namespace(os.getpid(), "pid")
    assert namespace(pid_a, "mnt") != namespace(pid_b, "mnt")
    # Seen from the joined namespace, the first container's sleep is its pid 1.
    lister = h.run(["cat", "/proc/1/cmdline"], f"{unique}-c", HostConfig={"PidMode": f"container:{first}"})
    assert h.svc.wait(lister, timeout=15)["StatusCode"] == 0
    assert eventually(lambda: logged_output(h, lister), what="output").startswith("sleep")


def test_pid_container_refusals(h: Harness, unique: str) -> None:
    with pytest.raises(NoSuchContainer):
        h.svc.create({"Image": "busybox", "Cmd": SLEEP, "HostConfig": {"PidMode": f"container:{unique}-none"}},
                     f"{unique}-x")
    stopped = h.svc.create({"Image": "busybox", "Cmd": SLEEP}, f"{unique}-stopped")["Id"]
    joiner = h.svc.create({"Image": "busybox", "Cmd": SLEEP,
                           "HostConfig": {"PidMode": f"container:{unique}-stopped"}}, f"{unique}-j")["Id"]
    with pytest.raises(InvalidParameter, match="non running container"):
        h.svc.start(joiner)
    assert h.svc.inspect(stopped)["State"]["Status"] == "created"


def test_a_shared_pid_namespace_container_ends_with_its_init(h: Harness, unique: str) -> None:
    # The background sleep outlives the shell in the host's pid namespace; the container
    # must still exit when the shell does, and take the sleep with it.
    cid = h.run(["sh", "-c", "sleep 297 & echo $! > /tmp/bg; sleep 0.2"], f"{unique}-orphan",
                HostConfig={"PidMode": "host"})
    assert h.svc.wait(cid, timeout=15)["StatusCode"] == 0
    assert h.svc.inspect(cid)["State"]["Status"] == "exited"
    left = [p for p in os.listdir("/proc") if p.isdigit() and _cmdline(p) == b"sleep\0297\0"]
    assert left == []


def _cmdline(pid: str) -> bytes:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read()
    except OSError:
        return b""
