"""The namespace and cgroup pictures' data, from a real container (root only)."""

from __future__ import annotations

import os

import pytest

from sandbox.engine import introspect
from sandbox.runtime.runtime import ProcessIO, Runtime
from sandbox.runtime.spec import parse_spec
from tests.helpers import wait_until
from tests.runtime.conftest import docker_like_spec

pytestmark = pytest.mark.root


@pytest.fixture
def running(tmp_path, unique, rootfs):
    rt = Runtime(tmp_path / "state")
    cfg = docker_like_spec(["sh", "-c", "sleep 30 & sleep 30"], resources={"memory": {"limit": 48 << 20}})
    spec = parse_spec(cfg, rootfs.parent)
    spec.root.readonly = True
    null = os.open(os.devnull, os.O_RDWR)
    try:
        rt.create(unique, spec, rootfs.parent, io=ProcessIO("fds", fds=(null, null, null)))
    finally:
        os.close(null)
    rt.start(unique)
    try:
        yield rt, unique
    finally:
        rt.delete(unique, force=True)


def test_namespaces_differ_and_processes_show_both_numbers(running) -> None:
    rt, cid = running
    st = rt.state(cid)
    cg = rt._cgroup(st.cgroup)
    assert wait_until(lambda: len(cg.pids()) >= 2)
    data = introspect.namespaces(st.pid, cg.pids())
    for t in ("pid", "mnt", "net", "uts", "ipc", "cgroup"):
        assert data["host"][t] != data["container"][t], t
    assert "user" in data["shared"]  # no user namespace: shared with the host
    init = next(p for p in data["processes"] if p["pid"] == st.pid)
    assert init["container_pid"] == 1 and not init["parent_inside"]
    children = [p for p in data["processes"] if p["ppid"] == st.pid]
    assert children and all(p["container_ppid"] == 1 and p["container_pid"] > 1 for p in children)


def test_cgroup_picture_has_limit_and_usage(running) -> None:
    rt, cid = running
    cg = rt._cgroup(rt.state(cid).cgroup)
    # The shell forks its first sleep after start returns: wait for both processes.
    assert wait_until(lambda: len(cg.pids()) >= 2)
    data = introspect.cgroup(cg)
    assert data["stats"]["memory_limit"] == 48 << 20
    assert data["stats"]["pids_current"] >= 2
    assert data["frozen"] is False
    assert any(str(48 << 20) == v for v in data["files"].values())
