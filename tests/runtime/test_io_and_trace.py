"""The shim's json-file log, the pty, and the trace of a real start (root only)."""

from __future__ import annotations

import os
import select
import time

import pytest

from sandbox.linux.trace import ListSink, Tracer
from sandbox.runtime.logs import read_json_file
from sandbox.runtime.runtime import ProcessIO, Runtime

pytestmark = pytest.mark.root


def test_detached_container_logs_in_json_file_format(harness) -> None:
    log = harness.work / "c.log"
    cid = harness.new_id()
    spec = harness.spec(["sh", "-c", "echo out; echo err >&2; printf partial"])
    harness.rt.create(cid, spec, harness.rootfs.parent, io=ProcessIO.log(str(log)))
    harness.rt.start(cid)
    status = harness.rt.wait(cid)
    assert status.code == 0
    recs = list(read_json_file(str(log)))
    assert {(r["stream"], r["log"]) for r in recs} == {("stdout", "out\n"), ("stderr", "err\n"), ("stdout", "partial")}
    assert all(r["time"].endswith("Z") for r in recs)
    harness.rt.delete(cid)


def test_terminal_gives_a_real_pty(harness) -> None:
    cid = harness.new_id()
    spec = harness.spec(["sh", "-c", "tty; stty size; read line; echo got:$line"])
    spec.process.terminal = True
    created = harness.rt.create(cid, spec, harness.rootfs.parent, io=ProcessIO.pty(30, 100))
    harness.rt.start(cid)
    master = created.pty_master
    assert master is not None
    os.write(master, b"hello\n")
    out = b""
    deadline = time.monotonic() + 10
    while b"got:hello" not in out and time.monotonic() < deadline:
        if select.select([master], [], [], 0.2)[0]:
            try:
                out += os.read(master, 4096)
            except OSError:
                break
    os.close(master)
    text = out.decode()
    assert "/dev/pts/0" in text or "/dev/console" in text, text
    assert "30 100" in text, text
    assert "got:hello" in text, text
    assert harness.rt.wait(cid).code == 0
    harness.rt.delete(cid)


def test_trace_records_kernel_steps_in_order(harness, tmp_path) -> None:
    sink = ListSink()
    rt = Runtime(tmp_path / "traced", tracer=Tracer(sink))
    spec = harness.spec(["true"], resources={"memory": {"limit": 64 << 20}})
    null = os.open(os.devnull, os.O_RDWR)
    try:
        assert rt.run(harness.new_id(), spec, harness.rootfs.parent, io=ProcessIO("fds", fds=(null, null, null))).code == 0
    finally:
        os.close(null)
    ops = sink.ops()
    for op in ("cgroup.mkdir", "cgroup.write", "unshare", "mount", "pivot_root", "capbset.drop", "capset", "exec",
               "start", "cgroup.rmdir", "delete"):
        assert op in ops, (op, ops)
    assert ops.index("unshare") < ops.index("pivot_root") < ops.index("capset") < ops.index("exec")
    writes = [r.args for r in sink.records if r.op == "cgroup.write"]
    assert any(w.get("value") == str(64 << 20) for w in writes), writes
    unshares = " ".join(r.args["flags"] for r in sink.records if r.op == "unshare")
    for flag in ("CLONE_NEWPID", "CLONE_NEWNS", "CLONE_NEWNET", "CLONE_NEWUTS", "CLONE_NEWIPC", "CLONE_NEWCGROUP"):
        assert flag in unshares
