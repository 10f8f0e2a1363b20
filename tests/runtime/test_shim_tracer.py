"""The shim never calls the parent's trace sinks: they belong to the parent's process (an
engine's event hub takes a lock that another thread may hold at the fork). Root only."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sandbox.linux.trace import Tracer
from sandbox.runtime.runtime import ProcessIO, Runtime
from sandbox.runtime.spec import parse_spec
from tests.runtime.conftest import docker_like_spec

pytestmark = pytest.mark.root


def test_cgroup_records_of_the_shim_do_not_reach_the_parents_sinks(tmp_path: Path, unique: str, rootfs) -> None:
    parent = os.getpid()
    foreign = tmp_path / "foreign"
    seen: list[str] = []

    def sink(rec) -> None:
        if os.getpid() != parent:
            with open(foreign, "a") as f:  # a forked copy of this sink: the test's evidence
                f.write(f"{os.getpid()} {rec}\n")
        else:
            seen.append(str(rec))

    rt = Runtime(tmp_path / "state", tracer=Tracer(sink))
    spec = parse_spec(docker_like_spec(["true"], resources={"memory": {"limit": 32 << 20}}), rootfs.parent)
    spec.root.readonly = True
    null = os.open(os.devnull, os.O_RDWR)
    try:
        rt.create(unique, spec, rootfs.parent, io=ProcessIO("fds", fds=(null, null, null)))
    finally:
        os.close(null)
    try:
        rt.start(unique)
        rt.wait(unique)
    finally:
        rt.delete(unique, force=True)
    assert not foreign.exists(), foreign.read_text()
    assert seen  # the parent's own records still arrive
