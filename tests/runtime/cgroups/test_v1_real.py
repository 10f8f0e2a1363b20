"""Real cgroups on this host, under sandbox/<unique>.

Written on a hybrid (v1 controllers) machine, where it exercises the v1 backend; on a pure
v2 host (the classroom VMs) the same tests run against the v2 backend, with the
version-specific checks switched by mode. Every cgroup and process made here is removed in
teardown, also when a test fails.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sandbox.errors import CgroupError, CgroupFileError
from sandbox.linux.trace import ListSink, Tracer
from sandbox.runtime.cgroups import CgroupManager, CgroupMode, detect_mode, open_manager
from sandbox.runtime.cgroups.poll import wait_for
from sandbox.runtime.resources import Resources

pytestmark = pytest.mark.root

MiB = 1 << 20
Spawn = Callable[..., subprocess.Popen[bytes]]


@pytest.fixture(scope="module")
def mode() -> CgroupMode:
    return detect_mode()


@pytest.fixture
def trace() -> ListSink:
    return ListSink()


@pytest.fixture
def cg(unique: str, mode: CgroupMode, trace: ListSink) -> Iterator[CgroupManager]:
    m = open_manager(unique, mode=mode, tracer=Tracer(trace), timeout=5.0)
    m.create()
    try:
        yield m
    finally:
        try:
            m.kill_all()  # thaws too, so nothing stays frozen
        finally:
            wait_for(lambda: not m.pids(), 10)
            m.destroy()
    assert not any(p.exists() for p in m.paths().values())


@pytest.fixture
def spawn(cg: CgroupManager) -> Iterator[Spawn]:
    """Start a process of ours in the cgroup. With ``go=True`` it waits for a line on
    stdin, sent once it has joined, so what it does next is charged to the cgroup."""
    procs: list[subprocess.Popen[bytes]] = []

    def start(*argv: str, go: bool = False) -> subprocess.Popen[bytes]:
        p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        procs.append(p)
        cg.add_process(p.pid)
        if go:
            assert p.stdin is not None
            p.stdin.write(b"go\n")
            p.stdin.flush()
        return p

    try:
        yield start
    finally:
        if cg.is_frozen():
            cg.thaw()
        for p in procs:
            p.kill()
            p.wait(timeout=10)
            for f in (p.stdin, p.stdout, p.stderr):
                if f:
                    f.close()


def _py(code: str) -> tuple[str, ...]:
    return (sys.executable, "-c", "import sys; sys.stdin.buffer.readline()\n" + code)


def test_the_cgroup_is_where_we_asked(cg: CgroupManager, mode: CgroupMode, unique: str, trace: ListSink) -> None:
    assert cg.name == f"sandbox/{unique}"
    paths = cg.paths()
    for c in ("memory", "cpu", "pids", "freezer"):
        assert paths[c].is_dir() and paths[c].parts[-2:] == ("sandbox", unique)
    if mode is not CgroupMode.V2:
        assert paths["memory"] == Path("/sys/fs/cgroup/memory/sandbox", unique)
        assert not Path("/sys/fs/cgroup/unified/sandbox", unique).exists()
    assert "cgroup.mkdir" in trace.ops()


def test_limits_read_back_and_update_live(cg: CgroupManager, mode: CgroupMode) -> None:
    cg.apply(Resources(memory_limit=64 * MiB, memory_swap=128 * MiB, cpu_quota=20000, cpu_period=100000,
                       cpu_shares=512, pids_limit=20))
    f = cg.files()
    if mode is CgroupMode.V2:
        assert f["memory.max"] == str(64 * MiB)
        assert f.get("memory.swap.max", str(64 * MiB)) == str(64 * MiB)
        assert (f["cpu.max"], f["cpu.weight"], f["pids.max"]) == ("20000 100000", "20", "20")
    else:
        assert f["memory.limit_in_bytes"] == str(64 * MiB)
        assert f.get("memory.memsw.limit_in_bytes", str(128 * MiB)) == str(128 * MiB)
        assert (f["cpu.cfs_quota_us"], f["cpu.cfs_period_us"], f["cpu.shares"]) == ("20000", "100000", "512")
        assert f["pids.max"] == "20"
    s = cg.stats()
    assert (s.memory_limit, s.pids_limit) == (64 * MiB, 20)
    # Down and up again: on v1 the kernel refuses either if memory and memsw go in the wrong order.
    cg.apply(Resources(memory_limit=16 * MiB, memory_swap=16 * MiB, cpu_quota=-1, pids_limit=0))
    cg.apply(Resources(memory_limit=256 * MiB, memory_swap=512 * MiB, cpu_period=50000))
    s = cg.stats()
    assert (s.memory_limit, s.pids_limit) == (256 * MiB, None)


def test_a_process_joins_and_is_listed(cg: CgroupManager, spawn: Spawn) -> None:
    p = spawn("sleep", "1000")
    assert cg.pids() == [p.pid]
    assert cg.stats().pids_current == 1
    with open(f"/proc/{p.pid}/cgroup") as f:
        assert f"/{cg.name}\n" in f.read()


def test_freeze_stops_the_process_and_thaw_resumes_it(cg: CgroupManager, mode: CgroupMode, spawn: Spawn) -> None:
    p = spawn("sleep", "1000")
    cg.freeze()
    assert cg.is_frozen()
    if mode is not CgroupMode.V2:
        assert cg.files()["freezer.state"] == "FROZEN"
        with open(f"/proc/{p.pid}/status") as f:
            assert "State:\tD" in f.read()  # frozen tasks sleep uninterruptibly
    # A frozen process cannot act on a signal; it does once thawed.
    os.kill(p.pid, signal.SIGTERM)
    assert p.poll() is None
    cg.thaw()
    assert not cg.is_frozen()
    assert p.wait(timeout=10) == -signal.SIGTERM


def test_kill_all_ends_a_paused_cgroup(cg: CgroupManager, spawn: Spawn) -> None:
    p = spawn("sleep", "1000")
    cg.freeze()
    cg.kill_all()
    assert p.wait(timeout=10) == -signal.SIGKILL
    assert not cg.is_frozen()


def test_a_memory_hog_is_oom_killed_and_reported(cg: CgroupManager, spawn: Spawn) -> None:
    cg.apply(Resources(memory_limit=32 * MiB, memory_swap=32 * MiB))
    assert not cg.oom_killed()
    p = spawn(*_py("b = bytearray(64 << 20)"), go=True)
    assert p.wait(timeout=30) == -signal.SIGKILL
    assert cg.oom_killed()
    s = cg.stats()
    assert s.oom_kills >= 1
    assert s.memory_peak is None or 0 < s.memory_peak <= 32 * MiB


def test_a_limit_below_usage_is_refused_and_kills_nothing(cg: CgroupManager, spawn: Spawn) -> None:
    cg.apply(Resources(memory_limit=128 * MiB, memory_swap=128 * MiB))
    p = spawn(*_py("b = bytearray(24 << 20); print('ready', flush=True); sys.stdin.buffer.read(1)"), go=True)
    assert p.stdout is not None and p.stdout.readline() == b"ready\n"
    with pytest.raises(CgroupError) as e:
        cg.apply(Resources(memory_limit=8 * MiB, memory_swap=8 * MiB))
    assert str(8 * MiB) in str(e.value) and e.value.hint
    assert p.poll() is None and not cg.oom_killed()


def test_the_pids_limit_stops_forks(cg: CgroupManager, spawn: Spawn) -> None:
    cg.apply(Resources(pids_limit=3))
    code = ("import os\nok = 0\nfor _ in range(6):\n"
            "    try:\n        pid = os.fork()\n    except BlockingIOError:\n        continue\n"
            "    if pid == 0:\n        os.read(0, 1)\n        os._exit(0)\n    ok += 1\n"
            "print(ok, flush=True)\nos.read(0, 1)\n")
    p = spawn(*_py(code), go=True)
    assert p.stdout is not None and p.stdout.readline() == b"2\n"
    assert cg.stats().pids_current == 3


def test_kill_all_reaches_forked_children(cg: CgroupManager, spawn: Spawn) -> None:
    p = spawn("sh", "-c", "read x; sleep 1000 & sleep 1000 & wait", go=True)
    assert wait_for(lambda: len(cg.pids()) == 3, 10)
    cg.kill_all()
    assert p.wait(timeout=10) == -signal.SIGKILL
    assert wait_for(lambda: cg.pids() == [], 10)


def test_destroy_refuses_while_a_process_stays(unique: str, mode: CgroupMode, spawn: Spawn,
                                               cg: CgroupManager) -> None:
    spawn("sleep", "1000")
    impatient = open_manager(unique, mode=mode, timeout=0.05)
    with pytest.raises(CgroupError) as e:
        impatient.destroy()
    assert e.value.hint and "kill_all" in e.value.hint
    assert cg.paths()["memory"].is_dir()


def test_add_process_of_a_process_that_does_not_exist(cg: CgroupManager) -> None:
    with pytest.raises(CgroupFileError) as e:
        cg.add_process(99_999_999)
    assert e.value.hint and "exited" in e.value.hint


def test_destroy_leaves_nothing(unique: str, mode: CgroupMode, trace: ListSink) -> None:
    m = open_manager(unique, mode=mode, tracer=Tracer(trace))
    m.create()
    try:
        m.apply(Resources(memory_limit=64 * MiB, pids_limit=10))
    finally:
        m.destroy()
    assert not any(p.exists() for p in m.paths().values())
    assert all(p.parent.is_dir() for p in m.paths().values())  # the shared parent stays
    assert trace.ops().count("cgroup.rmdir") == len(set(m.paths().values()))
