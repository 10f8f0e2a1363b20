"""The init's messages to the runtime: buffered trace records, then its last message."""

import os

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
    assert [m["t"] for m in msgs] == ["trace"] * 100 + ["ready"]
    assert [channel.to_record(m).args["target"] for m in msgs[:-1]] == [f"/m{i}" for i in range(100)]
    assert traces.take() == b""


def test_receive_refuses_silence() -> None:
    r, w = os.pipe()
    try:
        with pytest.raises(SandboxError, match="did not answer"):
            next(channel.receive(r, 0.05))
    finally:
        os.close(r)
        os.close(w)
