"""The engine makes a bridge container's network namespace itself and connects it while the
runtime builds the container: the program still starts with its interfaces in place, the
records name the container's own namespace afterwards, and the engine keeps no descriptor."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from .conftest import Harness
from .wired import Wired, wired_service

pytestmark = pytest.mark.root


@pytest.fixture
def w(h: Harness) -> Iterator[Wired]:
    yield from wired_service(h)


def _netns_fds() -> list[str]:
    out = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue  # closed meanwhile
        if target.startswith("net:["):
            out.append(target)
    return out


def test_interfaces_are_there_when_the_program_starts(w: Wired, unique: str) -> None:
    before = _netns_fds()
    cid = w.run(["sh", "-c", "cat /proc/net/dev; ip -o -4 addr show eth0"], f"{unique}-e")
    code, out = w.finish(cid)
    assert code == 0 and "eth0:" in out and "inet 10." in out, out
    assert _netns_fds() == before


def test_endpoint_records_name_the_containers_namespace(w: Wired, unique: str) -> None:
    cid = w.run(["sleep", "300"], f"{unique}-r")
    pid = w.svc.inspect(cid)["State"]["Pid"]
    [rec] = [n.endpoints[cid] for n in w.net.networks() if cid in n.endpoints]
    assert rec.netns == f"/proc/{pid}/ns/net"
    assert os.readlink(rec.netns) != os.readlink("/proc/self/ns/net")
