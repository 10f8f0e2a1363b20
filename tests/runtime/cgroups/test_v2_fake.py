"""The v2 backend against a fake cgroupfs in a temp directory."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sandbox.errors import CgroupError, CgroupFileError, ResourceError
from sandbox.linux.trace import ListSink
from sandbox.runtime.cgroups import CgroupManager, CgroupMode, CgroupStats, open_manager
from sandbox.runtime.resources import Resources

MiB = 1 << 20
Written = Callable[[], list[tuple[str, str, str]]]


@pytest.fixture
def cg(fake_v2) -> CgroupManager:
    m = open_manager("web", root=Path(fake_v2.root), mode=CgroupMode.V2, io=fake_v2, timeout=0.05)
    m.create()
    return m


@pytest.fixture
def sleeper() -> Iterator[subprocess.Popen[bytes]]:
    """A real process of our own to signal (its pid goes into the fake's cgroup.procs)."""
    p = subprocess.Popen(["sleep", "60"])
    try:
        yield p
    finally:
        p.kill()
        p.wait()


def test_create_hands_controllers_down_and_makes_the_leaf(fake_v2, sink: ListSink, written: Written) -> None:
    root = fake_v2.root
    m = open_manager("web", root=Path(root), mode=CgroupMode.V2, io=fake_v2)
    assert isinstance(m, CgroupManager)
    assert m.name == "sandbox/web"
    m.create()
    assert written() == [(root, "cgroup.subtree_control", "+cpu +memory +pids"),
                         (f"{root}/sandbox", "cgroup.subtree_control", "+cpu +memory +pids")]
    assert [(r.op, r.args["path"]) for r in sink.records if r.op == "cgroup.mkdir"] == [
        ("cgroup.mkdir", f"{root}/sandbox"), ("cgroup.mkdir", f"{root}/sandbox/web")]
    assert set(fake_v2.get(f"{root}/sandbox/web", "cgroup.controllers").split()) == {"cpu", "memory", "pids"}
    # A second container: the parent is there and hands everything down already.
    n = len(sink.records)
    open_manager("db", root=Path(root), mode=CgroupMode.V2, io=fake_v2).create()
    assert [r.op for r in sink.records[n:]] == ["cgroup.mkdir"]


def test_create_is_idempotent(cg, sink: ListSink) -> None:
    n = len(sink.records)
    cg.create()
    assert sink.records[n:] == []


def test_apply_writes_each_field(cg, written: Written) -> None:
    d = str(cg.paths()["unified"])
    before = len(written())
    cg.apply(Resources(memory_limit=64 * MiB, memory_swap=96 * MiB, cpu_quota=20000, cpu_period=100000,
                       cpu_shares=1024, pids_limit=20))
    assert written()[before:] == [
        (d, "memory.max", str(64 * MiB)),
        (d, "memory.swap.max", str(32 * MiB)),
        (d, "cpu.max", "20000 100000"),
        (d, "cpu.weight", "39"),
        (d, "pids.max", "20"),
    ]
    assert cg.files()["cpu.max"] == "20000 100000"


@pytest.mark.parametrize(("r", "expect"), [
    (Resources(memory_limit=0), [("memory.max", "max")]),
    (Resources(memory_limit=64 * MiB, memory_swap=-1), [("memory.max", str(64 * MiB)), ("memory.swap.max", "max")]),
    (Resources(memory_limit=64 * MiB, memory_swap=64 * MiB), [("memory.max", str(64 * MiB)),
                                                            ("memory.swap.max", "0")]),
    (Resources(cpu_quota=-1), [("cpu.max", "max")]),
    (Resources(cpu_quota=50000), [("cpu.max", "50000")]),
    (Resources(cpu_period=50000), [("cpu.max", "max 50000")]),
    (Resources(cpu_shares=2), [("cpu.weight", "1")]),
    (Resources(pids_limit=0), [("pids.max", "max")]),
    (Resources(pids_limit=-1), [("pids.max", "max")]),
    (Resources(), []),
])
def test_apply_conversions(cg, written: Written, r: Resources, expect: list[tuple[str, str]]) -> None:
    before = len(written())
    cg.apply(r)
    assert [(f, v) for _, f, v in written()[before:]] == expect


def test_live_period_change_keeps_the_quota(cg, fake_v2) -> None:
    cg.apply(Resources(cpu_quota=20000, cpu_period=100000))
    cg.apply(Resources(cpu_period=50000))
    assert fake_v2.get(str(cg.paths()["unified"]), "cpu.max") == "20000 50000"


def test_invalid_resources_touch_nothing(cg, written: Written) -> None:
    before = len(written())
    with pytest.raises(ResourceError) as e:
        cg.apply(Resources(memory_limit=1 * MiB, pids_limit=10))
    assert e.value.field == "memory_limit"
    assert len(written()) == before


def test_a_limit_below_usage_is_refused_not_oom_killed(cg, fake_v2, written: Written) -> None:
    d = str(cg.paths()["unified"])
    fake_v2.set(d, "memory.current", str(100 * MiB))
    fake_v2.set(d, "memory.stat", f"anon {90 * MiB}\nfile {10 * MiB}\n")
    before = len(written())
    with pytest.raises(CgroupError) as e:
        cg.apply(Resources(memory_limit=32 * MiB))
    assert e.value.path == f"{d}/memory.max"
    assert str(32 * MiB) in str(e.value) and e.value.hint
    assert len(written()) == before
    # The page cache can be reclaimed: a limit above anon alone is fine.
    cg.apply(Resources(memory_limit=95 * MiB))
    assert fake_v2.get(d, "memory.max") == str(95 * MiB)


def test_missing_controller_is_explained(make_kernel) -> None:
    k = make_kernel(2)
    k.make_v2_root(controllers=("cpu", "pids"))
    m = open_manager("web", root=Path(k.root), mode=CgroupMode.V2, io=k)
    m.create()
    m.apply(Resources(cpu_quota=20000, pids_limit=5))
    with pytest.raises(CgroupError) as e:
        m.apply(Resources(memory_limit=64 * MiB))
    assert "memory controller" in str(e.value)
    assert e.value.hint and "offers only: cpu pids" in e.value.hint


def test_apply_before_create_says_so(fake_v2) -> None:
    m = open_manager("web", root=Path(fake_v2.root), mode=CgroupMode.V2, io=fake_v2)
    with pytest.raises(CgroupError) as e:
        m.apply(Resources(pids_limit=5))
    assert "does not exist" in str(e.value)


def test_no_internal_processes_rule(fake_v2) -> None:
    root = fake_v2.root
    open_manager("a", root=Path(root), mode=CgroupMode.V2, io=fake_v2).create()
    fake_v2.set(f"{root}/sandbox", "cgroup.subtree_control", "")
    fake_v2.set(f"{root}/sandbox", "cgroup.procs", "4242\n")
    with pytest.raises(CgroupFileError) as e:
        open_manager("b", root=Path(root), mode=CgroupMode.V2, io=fake_v2).create()
    assert e.value.hint and "no-internal-processes" in e.value.hint


def test_add_process_and_pids_include_child_cgroups(cg, fake_v2) -> None:
    cg.add_process(100)
    cg.add_process(101)
    d = str(cg.paths()["unified"])
    os.mkdir(f"{d}/inner")
    fake_v2.set(f"{d}/inner", "cgroup.procs", "102\n")
    assert cg.pids() == [100, 101, 102]


def test_add_process_of_a_gone_process(cg) -> None:
    with pytest.raises(CgroupFileError) as e:
        cg.add_process(0)
    assert e.value.hint and "exited" in e.value.hint


def test_freeze_and_thaw(cg, written: Written) -> None:
    d = str(cg.paths()["unified"])
    assert not cg.is_frozen()
    cg.freeze()
    assert cg.is_frozen()
    assert written()[-1] == (d, "cgroup.freeze", "1")
    cg.thaw()
    assert not cg.is_frozen()
    assert written()[-1] == (d, "cgroup.freeze", "0")


def test_a_freeze_the_kernel_never_finishes_is_undone(cg, fake_v2, written: Written) -> None:
    fake_v2.stuck_freeze = True
    with pytest.raises(CgroupError) as e:
        cg.freeze()
    assert "frozen" in str(e.value) and e.value.hint
    assert written()[-1][1:] == ("cgroup.freeze", "0")


def test_stats_parses_the_files(cg, fake_v2) -> None:
    d = str(cg.paths()["unified"])
    fake_v2.set(d, "memory.current", "1048576\n")
    fake_v2.set(d, "memory.peak", "2097152\n")
    fake_v2.set(d, "memory.max", "33554432\n")
    fake_v2.set(d, "memory.events", "low 0\nhigh 0\nmax 7\noom 2\noom_kill 2\noom_group_kill 0\n")
    fake_v2.set(d, "cpu.stat", "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\n")
    fake_v2.set(d, "pids.current", "3\n")
    assert cg.stats() == CgroupStats(memory_usage=1048576, memory_peak=2097152, memory_limit=33554432,
                                     oom_kills=2, cpu_usage_ns=1_500_000, pids_current=3, pids_limit=None)
    assert cg.oom_killed()


def test_stats_on_older_kernels_and_fresh_cgroups(cg, fake_v2) -> None:
    d = str(cg.paths()["unified"])
    os.unlink(f"{d}/memory.peak")  # before Linux 5.19
    s = cg.stats()
    assert s.memory_peak is None and s.memory_limit is None and s.oom_kills == 0
    assert not cg.oom_killed()


def test_stats_of_a_missing_cgroup(fake_v2) -> None:
    m = open_manager("nope", root=Path(fake_v2.root), mode=CgroupMode.V2, io=fake_v2)
    with pytest.raises(CgroupError):
        m.stats()
    assert not m.oom_killed() and not m.is_frozen() and m.pids() == [] and m.files() == {}


def test_kill_all_uses_cgroup_kill(cg, fake_v2) -> None:
    cg.add_process(4242)  # not a real process of ours: cgroup.kill must not signal by pid
    cg.kill_all()
    assert fake_v2.killed == [str(cg.paths()["unified"])]
    assert cg.pids() == []


def test_kill_all_with_cgroup_kill_thaws_a_paused_cgroup(cg, written: Written) -> None:
    d = str(cg.paths()["unified"])
    cg.freeze()
    cg.kill_all()
    assert not cg.is_frozen()
    assert written()[-2:] == [(d, "cgroup.kill", "1"), (d, "cgroup.freeze", "0")]


def test_kill_all_with_cgroup_kill_leaves_a_running_cgroup_as_it_is(cg, written: Written) -> None:
    cg.kill_all()
    assert [f for _, f, _ in written()].count("cgroup.freeze") == 0


def test_kill_all_without_cgroup_kill_signals_each_frozen(cg, fake_v2, written: Written,
                                                          sleeper: subprocess.Popen[bytes]) -> None:
    d = str(cg.paths()["unified"])
    os.unlink(f"{d}/cgroup.kill")  # before Linux 5.14
    cg.add_process(sleeper.pid)
    before = len(written())
    cg.kill_all(signal.SIGTERM)
    assert sleeper.wait(timeout=10) == -signal.SIGTERM
    assert [(f, v) for _, f, v in written()[before:]] == [("cgroup.freeze", "1"), ("cgroup.freeze", "0")]


def test_kill_all_of_a_missing_cgroup_is_a_no_op(fake_v2, sink: ListSink) -> None:
    open_manager("nope", root=Path(fake_v2.root), mode=CgroupMode.V2, io=fake_v2).kill_all()
    assert sink.records == []


def test_destroy_removes_the_leaf_and_below_only(cg, fake_v2, sink: ListSink) -> None:
    d = str(cg.paths()["unified"])
    os.mkdir(f"{d}/inner")
    fake_v2.set(f"{d}/inner", "cgroup.procs", "")
    cg.destroy()
    assert not os.path.exists(d)
    assert os.path.isdir(f"{fake_v2.root}/sandbox")
    assert [r.args["path"] for r in sink.records if r.op == "cgroup.rmdir"] == [f"{d}/inner", d]
    cg.destroy()  # gone already is fine


def test_destroy_waits_for_exiting_processes(cg, fake_v2) -> None:
    cg.add_process(4242)
    fake_v2.exit_after = 3
    cg.destroy()
    assert not os.path.exists(str(cg.paths()["unified"]))


def test_destroy_gives_up_on_processes_that_stay(cg, fake_v2) -> None:
    cg.add_process(4242)
    fake_v2.exit_after = -1
    with pytest.raises(CgroupError) as e:
        cg.destroy()
    assert "4242" in str(e.value) and e.value.hint and "kill_all" in e.value.hint
    assert os.path.isdir(str(cg.paths()["unified"]))


def test_paths_and_files_for_the_ui(cg) -> None:
    p = cg.paths()
    assert p["unified"] == p["memory"] == p["freezer"]
    assert str(p["memory"]).endswith("/sandbox/web")
    f = cg.files()
    assert f["memory.max"] == "max" and f["pids.max"] == "max" and f["cgroup.freeze"] == "0"
    assert "memory.events" not in f


def test_trace_records_every_change(cg, sink: ListSink) -> None:
    cg.apply(Resources(pids_limit=7))
    rec = sink.records[-1]
    assert rec.op == "cgroup.write"
    assert rec.args == {"path": str(cg.paths()["pids"]), "file": "pids.max", "value": "7"}
    assert rec.error is None


def test_a_refused_write_is_traced_with_its_errno(cg, sink: ListSink) -> None:
    with pytest.raises(CgroupFileError) as e:
        cg.io.write_file(str(cg.paths()["unified"]), "cpu.weight", "0")
    assert e.value.errno and "ERANGE" in str(e.value)
    assert sink.records[-1].error == "ERANGE"


def test_names_are_checked(fake_v2) -> None:
    with pytest.raises(CgroupError):
        open_manager("../../etc", root=Path(fake_v2.root), mode=CgroupMode.V2, io=fake_v2)


def test_mode_is_detected_when_not_given(tmp_path: Path) -> None:
    # tmp_path has no cgroup mount: detection refuses rather than guessing.
    with pytest.raises(CgroupError):
        open_manager("web", root=tmp_path)
