"""Messages from a container's shim and init back to the runtime, over one pipe.

Each message is one JSON line written with a single ``write(2)``: below PIPE_BUF the kernel
keeps it whole even with two writers (shim and init), so lines never interleave.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator

from sandbox.errors import SandboxError
from sandbox.linux.trace import TraceRecord
from sandbox.runtime.fds import wait_readable

# Not typing.TYPE_CHECKING: importing typing is part of every container start.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def encode(kind: str, **data: Any) -> bytes:
    data["t"] = kind
    return json.dumps(data, separators=(",", ":"), default=str).encode() + b"\n"


def send(fd: int, kind: str, **data: Any) -> None:
    os.write(fd, encode(kind, **data))


def write_all(fd: int, data: bytes) -> None:
    """Several messages at once. Above PIPE_BUF a write may be split, so only a sole writer
    may use it (the init once the shim has let go of the pipe)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


class TraceToPipe:
    """A trace sink for use between fork and exec."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def __call__(self, rec: TraceRecord) -> None:
        send(self.fd, "trace", op=rec.op, args=rec.args, pid=rec.pid, time=rec.time, error=rec.error)


class BufferedTraceToPipe:
    """A trace sink that keeps the records until ``take``: the init's some ninety records
    leave with its last message as one "traces" message, in one write and one JSON
    encoding, instead of one write (and one read, one wakeup of the runtime's thread, one
    encoding) each, which shortens every container start."""

    def __init__(self) -> None:
        self.records: list[TraceRecord] = []

    def __call__(self, rec: TraceRecord) -> None:
        self.records.append(rec)

    def take(self) -> bytes:
        """The kept records as one message (empty without any); above PIPE_BUF, so only a
        sole writer may send it."""
        if not self.records:
            return b""
        data = encode("traces", records=[[r.op, r.args, r.pid, r.time, r.error] for r in self.records])
        self.records = []
        return data

    def lines(self) -> list[bytes]:
        """The kept records as one message each, each below PIPE_BUF: for a writer that may
        not be alone on the pipe."""
        return [encode("trace", op=r.op, args=r.args, pid=r.pid, time=r.time, error=r.error) for r in self.records]


def receive(fd: int, timeout: float) -> Iterator[dict[str, Any]]:
    """Yield messages until EOF; raise if none arrives for ``timeout`` seconds."""
    buf = b""
    deadline = time.monotonic() + timeout
    while True:
        nl = buf.find(b"\n")
        if nl >= 0:
            line, buf = buf[:nl], buf[nl + 1:]
            yield json.loads(line)
            deadline = time.monotonic() + timeout
            continue
        left = deadline - time.monotonic()
        if left <= 0 or not wait_readable(fd, left):
            raise SandboxError(f"container init did not answer within {timeout:.0f}s",
                               "the process may be stuck; see `sandbox runtime run --trace`")
        chunk = os.read(fd, 65536)
        if not chunk:
            return
        buf += chunk


def to_records(msg: dict[str, Any]) -> list[TraceRecord]:
    """The records of a "traces" message."""
    return [TraceRecord(op=op, args=args or {}, pid=pid, time=when, error=error)
            for op, args, pid, when, error in msg["records"]]


def to_record(msg: dict[str, Any]) -> TraceRecord:
    return TraceRecord(op=msg["op"], args=msg.get("args") or {}, pid=msg.get("pid", 0),
                       time=msg.get("time", 0.0), error=msg.get("error"))
