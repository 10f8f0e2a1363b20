"""The init's messages to the runtime: buffered trace records, then its last message."""

import json
import os
import select

import pytest

from sandbox.errors import SandboxError
from sandbox.linux.trace import TraceRecord
from sandbox.runtime import channel


def test_buffered_records_arrive_in_order_before_the_last_message() -> None:
    traces = channel.BufferedTraceToPipe()
    for i in range(100):  # well above PIPE_BUF together
        traces(TraceRecord(op="mount", args={"target": f"/m{i}", "pad": "x" * 100}, pid=1, time=float(i)))
    r, w = os.pipe()
    try:
        # A reader that keeps up, as the runtime does: the pipe holds 64 KiB.
        channel.write_all(w, traces.take() + channel.encode("ready"))
        os.close(w)
        w = -1
        msgs = list(channel.receive(r, 5))
    finally:
        os.close(r)
        if w >= 0:
            os.close(w)
    assert [m["t"] for m in msgs] == ["traces", "ready"]
    records = channel.to_records(msgs[0])
    assert [r.args["target"] for r in records] == [f"/m{i}" for i in range(100)]
    assert records[7] == TraceRecord(op="mount", args={"target": "/m7", "pad": "x" * 100}, pid=1, time=7.0)
    assert traces.take() == b""


def test_on_failure_each_record_is_a_message_below_pipe_buf() -> None:
    """Before ``go`` the shim writes to the pipe too: only writes below PIPE_BUF stay whole."""
    traces = channel.BufferedTraceToPipe()
    for i in range(100):
        traces(TraceRecord(op="mount", args={"target": f"/m{i}", "pad": "x" * 100}, pid=1, time=float(i)))
    lines = traces.lines()
    assert len(lines) == 100
    assert all(len(line) < select.PIPE_BUF and line.endswith(b"\n") for line in lines)
    assert channel.to_record(json.loads(lines[3])).args["target"] == "/m3"


def test_receive_refuses_silence() -> None:
    r, w = os.pipe()
    try:
        with pytest.raises(SandboxError, match="did not answer"):
            next(channel.receive(r, 0.05))
    finally:
        os.close(r)
        os.close(w)
