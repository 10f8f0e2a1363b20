"""The v1 backend (also used on hybrid hosts) against a fake cgroupfs in a temp directory."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sandbox.errors import CgroupError
from sandbox.linux.trace import ListSink
from sandbox.runtime.cgroups import CgroupManager, CgroupMode, CgroupStats, open_manager
from sandbox.runtime.cgroups.files import CgroupFiles
from sandbox.runtime.cgroups.fs.hierarchies import find_hierarchies
from sandbox.runtime.resources import Resources

MiB = 1 << 20
Written = Callable[[], list[tuple[str, str, str]]]


def _open(k, name: str = "web", mode: CgroupMode = CgroupMode.V1) -> CgroupManager:
    return open_manager(name, root=Path(k.root), mode=mode, io=k, timeout=0.05)


@pytest.fixture
def cg(fake_v1) -> CgroupManager:
    m = _open(fake_v1)
    m.create()
    return m


@pytest.fixture
def sleeper() -> Iterator[subprocess.Popen[bytes]]:
    p = subprocess.Popen(["sleep", "60"])
    try:
        yield p
    finally:
        p.kill()
        p.wait()


def test_hierarchies_follow_symlinks_to_one_dir_per_mount(fake_v1) -> None:
    found = {h.controllers: os.path.basename(h.mount) for h in find_hierarchies(CgroupFiles(), fake_v1.root)}
    assert found == {("cpu", "cpuacct"): "cpu,cpuacct", ("cpuset",): "cpuset", ("memory",): "memory",
                     ("pids",): "pids", ("freezer",): "freezer", ("devices",): "devices",
                     ("name=systemd",): "systemd"}


def test_hybrid_leaves_the_unified_tree_alone(make_kernel, sink: ListSink) -> None:
    k = make_kernel(1)
    k.make_v1_root(hierarchies=("cpu", "cpuacct", "memory", "pids", "freezer"), links={}, unified=True)
    m = _open(k, mode=CgroupMode.HYBRID)
    assert m.mode is CgroupMode.HYBRID
    m.create()
    assert not any("/unified" in r.args["path"] for r in sink.records)
    assert set(m.paths()) == {"cpu", "cpuacct", "memory", "pids", "freezer"}
    assert m.paths()["cpu"] != m.paths()["cpuacct"]


def test_a_root_without_hierarchies_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "unified").mkdir()
    (tmp_path / "unified" / "cgroup.controllers").write_text("")
    with pytest.raises(CgroupError) as e:
        open_manager("web", root=tmp_path, mode=CgroupMode.V1)
    assert e.value.hint and "v2" in e.value.hint


def test_create_makes_the_same_path_in_every_hierarchy(cg, fake_v1, sink: ListSink) -> None:
    made = [r.args["path"] for r in sink.records if r.op == "cgroup.mkdir"]
    tops = ("cpu,cpuacct", "cpuset", "devices", "freezer", "memory", "pids", "systemd")
    assert sorted(made) == sorted([f"{fake_v1.root}/{t}/sandbox" for t in tops] +
                                  [f"{fake_v1.root}/{t}/sandbox/web" for t in tops])
    assert cg.paths()["cpu"] == cg.paths()["cpuacct"] == Path(fake_v1.root, "cpu,cpuacct", "sandbox", "web")
    assert cg.paths()["name=systemd"] == Path(fake_v1.root, "systemd", "sandbox", "web")


def test_cpuset_gets_its_parents_cpus_and_mems(cg, fake_v1) -> None:
    for d in (f"{fake_v1.root}/cpuset/sandbox", f"{fake_v1.root}/cpuset/sandbox/web"):
        assert fake_v1.get(d, "cpuset.cpus") == "0-3"
        assert fake_v1.get(d, "cpuset.mems") == "0"


def test_add_process_joins_every_hierarchy(cg, fake_v1) -> None:
    cg.add_process(321)
    for p in set(cg.paths().values()):
        assert fake_v1.get(str(p), "cgroup.procs").split() == ["321"]
    assert cg.pids() == [321]


def test_apply_writes_each_field(cg, written: Written) -> None:
    mem, cpu, pids = (str(cg.paths()[c]) for c in ("memory", "cpu", "pids"))
    before = len(written())
    cg.apply(Resources(memory_limit=64 * MiB, memory_swap=128 * MiB, cpu_quota=20000, cpu_period=100000,
                       cpu_shares=512, pids_limit=20))
    assert written()[before:] == [
        (mem, "memory.limit_in_bytes", str(64 * MiB)),
        (mem, "memory.memsw.limit_in_bytes", str(128 * MiB)),
        (cpu, "cpu.cfs_period_us", "100000"),
        (cpu, "cpu.cfs_quota_us", "20000"),
        (cpu, "cpu.shares", "512"),
        (pids, "pids.max", "20"),
    ]
    f = cg.files()
    assert (f["memory.limit_in_bytes"], f["cpu.cfs_quota_us"], f["pids.max"]) == (str(64 * MiB), "20000", "20")


def test_memsw_goes_first_when_raised_and_last_when_lowered(cg, fake_v1, written: Written) -> None:
    cg.apply(Resources(memory_limit=64 * MiB, memory_swap=64 * MiB))
    before = len(written())
    cg.apply(Resources(memory_limit=128 * MiB, memory_swap=256 * MiB))  # both up
    assert [f for _, f, _ in written()[before:]] == ["memory.memsw.limit_in_bytes", "memory.limit_in_bytes"]
    before = len(written())
    cg.apply(Resources(memory_limit=32 * MiB, memory_swap=32 * MiB))  # both down
    assert [f for _, f, _ in written()[before:]] == ["memory.limit_in_bytes", "memory.memsw.limit_in_bytes"]
    cg.apply(Resources(memory_limit=64 * MiB, memory_swap=-1))
    d = str(cg.paths()["memory"])
    assert fake_v1.get(d, "memory.limit_in_bytes") == str(64 * MiB)
    assert fake_v1.get(d, "memory.memsw.limit_in_bytes") == "9223372036854771712"


def test_memory_above_memsw_is_explained(cg) -> None:
    cg.apply(Resources(memory_limit=32 * MiB, memory_swap=32 * MiB))
    with pytest.raises(CgroupError) as e:
        cg.apply(Resources(memory_limit=64 * MiB))
    assert "memory.limit_in_bytes" in str(e.value) and str(64 * MiB) in str(e.value)
    assert e.value.hint and "memory_swap" in e.value.hint


def test_limit_below_usage(cg, fake_v1) -> None:
    d = str(cg.paths()["memory"])
    fake_v1.set(d, "memory.usage_in_bytes", str(50 * MiB))
    with pytest.raises(CgroupError) as e:
        cg.apply(Resources(memory_limit=8 * MiB))
    assert e.value.path == f"{d}/memory.limit_in_bytes"
    assert str(8 * MiB) in str(e.value) and str(50 * MiB) in str(e.value)
    assert e.value.hint


def test_swap_without_swap_accounting(make_kernel) -> None:
    k = make_kernel(1)
    k.memsw = False
    k.make_v1_root()
    m = _open(k)
    m.create()
    m.apply(Resources(memory_limit=64 * MiB, memory_swap=-1))  # "no swap limit" holds anyway
    assert k.get(str(m.paths()["memory"]), "memory.limit_in_bytes") == str(64 * MiB)
    with pytest.raises(CgroupError) as e:
        m.apply(Resources(memory_limit=64 * MiB, memory_swap=128 * MiB))
    assert e.value.hint and "swapaccount" in e.value.hint


def test_unlimited_values(cg, fake_v1) -> None:
    cg.apply(Resources(memory_limit=64 * MiB, cpu_quota=20000, pids_limit=5))
    cg.apply(Resources(memory_limit=0, cpu_quota=-1, pids_limit=0))
    f = cg.files()
    assert (f["memory.limit_in_bytes"], f["cpu.cfs_quota_us"], f["pids.max"]) == (
        "9223372036854771712", "-1", "max")
    assert cg.stats().memory_limit is None


def test_a_controller_that_is_not_mounted(make_kernel) -> None:
    k = make_kernel(1)
    k.make_v1_root(hierarchies=("memory",), links={})
    m = _open(k)
    m.create()
    with pytest.raises(CgroupError) as e:
        m.apply(Resources(pids_limit=10))
    assert "pids controller is not mounted" in str(e.value)
    assert e.value.hint and "mount -t cgroup -o pids" in e.value.hint
    with pytest.raises(CgroupError):
        m.freeze()
    assert not m.is_frozen()


def test_freeze_retries_while_freezing(cg, fake_v1, written: Written) -> None:
    fake_v1.freezing_steps = 2
    cg.freeze()
    assert cg.is_frozen()
    assert [v for _, f, v in written() if f == "freezer.state"] == ["FROZEN"] * 3
    cg.thaw()
    assert not cg.is_frozen()
    assert fake_v1.get(str(cg.paths()["freezer"]), "freezer.state") == "THAWED"


def test_a_freeze_that_never_ends_is_undone(cg, fake_v1) -> None:
    fake_v1.freezing_steps = 10**6
    with pytest.raises(CgroupError) as e:
        cg.freeze()
    assert "FROZEN" in str(e.value) and e.value.hint
    assert fake_v1.get(str(cg.paths()["freezer"]), "freezer.state") == "THAWED"


def test_stats_parses_the_files(cg, fake_v1) -> None:
    mem, acct, pids = (str(cg.paths()[c]) for c in ("memory", "cpuacct", "pids"))
    fake_v1.set(mem, "memory.usage_in_bytes", "4096")
    fake_v1.set(mem, "memory.max_usage_in_bytes", "8192")
    fake_v1.set(mem, "memory.limit_in_bytes", str(32 * MiB))
    fake_v1.set(mem, "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 1\n")
    fake_v1.set(acct, "cpuacct.usage", "123456789")
    fake_v1.set(pids, "pids.current", "2")
    fake_v1.set(pids, "pids.max", "20")
    assert cg.stats() == CgroupStats(memory_usage=4096, memory_peak=8192, memory_limit=32 * MiB, oom_kills=1,
                                     cpu_usage_ns=123456789, pids_current=2, pids_limit=20)
    assert cg.oom_killed()


def test_oom_killed_on_kernels_without_the_counter(cg, fake_v1) -> None:
    fake_v1.set(str(cg.paths()["memory"]), "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\n")
    assert not cg.oom_killed()
    assert cg.stats().oom_kills == 0


def test_kill_all_freezes_signals_and_thaws(cg, written: Written, sleeper: subprocess.Popen[bytes]) -> None:
    cg.add_process(sleeper.pid)
    before = len(written())
    cg.kill_all()
    assert sleeper.wait(timeout=10) == -signal.SIGKILL
    assert [v for _, f, v in written()[before:] if f == "freezer.state"] == ["FROZEN", "THAWED"]


def test_kill_all_keeps_a_paused_cgroup_paused_for_other_signals(cg, fake_v1,
                                                                 sleeper: subprocess.Popen[bytes]) -> None:
    cg.add_process(sleeper.pid)
    cg.freeze()
    cg.kill_all(signal.SIGTERM)
    assert cg.is_frozen()
    assert sleeper.wait(timeout=10) == -signal.SIGTERM  # the fake freezes nothing for real


def test_kill_all_without_a_freezer(make_kernel, sleeper: subprocess.Popen[bytes]) -> None:
    k = make_kernel(1)
    k.make_v1_root(hierarchies=("memory", "pids"), links={})
    m = _open(k)
    m.create()
    m.add_process(sleeper.pid)
    m.kill_all(signal.SIGTERM)
    assert sleeper.wait(timeout=10) == -signal.SIGTERM


def test_destroy_every_hierarchy_but_not_the_parent(cg, fake_v1, sink: ListSink) -> None:
    cg.destroy()
    removed = [r.args["path"] for r in sink.records if r.op == "cgroup.rmdir"]
    assert sorted(removed) == sorted(str(p) for p in set(cg.paths().values()))
    for p in cg.paths().values():
        assert not p.exists() and p.parent.is_dir()
    cg.destroy()


def test_destroy_continues_past_a_busy_hierarchy(cg, fake_v1) -> None:
    fake_v1.exit_after = -1
    fake_v1.set(str(cg.paths()["memory"]), "cgroup.procs", "4242\n")
    with pytest.raises(CgroupError) as e:
        cg.destroy()
    assert "4242" in str(e.value)
    assert cg.paths()["memory"].is_dir()
    assert not cg.paths()["pids"].exists() and not cg.paths()["cpu"].exists()


def test_files_for_the_ui(cg) -> None:
    f = cg.files()
    assert f["freezer.state"] == "THAWED" and f["cpu.shares"] == "1024" and f["cpuacct.usage"] == "0"
    assert "memory.memsw.limit_in_bytes" in f


def test_kill_all_still_signals_when_the_freeze_fails(cg, fake_v1, sink: ListSink,
                                                      sleeper: subprocess.Popen[bytes]) -> None:
    cg.add_process(sleeper.pid)
    fake_v1.freezing_steps = 10**6
    cg.kill_all()
    assert sleeper.wait(timeout=10) == -signal.SIGKILL
    failed = [r for r in sink.records if r.op == "cgroup.signal"]
    assert len(failed) == 1 and failed[0].error and "freeze failed" in failed[0].error
    assert not cg.is_frozen()
