"""One hook for every kernel-visible step.

The runtime's steps (mounts, unshare flags, pivot_root, cgroup writes, capability drops,
exec) each become a ``TraceRecord``. Code that touches the kernel is handed a ``Tracer``
and calls ``tracer.emit(op, **args)``; where the records go is the sink's business: a list
in tests, a pipe from a container's init back to the runtime, the engine's trace bus.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable

from sandbox.records import Record, field

# Not typing.TYPE_CHECKING: importing typing is part of every container start.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class TraceRecord(Record, frozen=True):
    op: str
    """What happened: "unshare", "mount", "pivot_root", "cgroup.write", "capset", "exec", …"""
    args: dict[str, Any] = field(default_factory=dict)
    pid: int = 0
    time: float = 0.0
    error: str | None = None

    def to_json(self) -> str:
        return json.dumps(
            {"op": self.op, "args": self.args, "pid": self.pid, "time": self.time, "error": self.error},
            separators=(",", ":"),
            default=str,
        )

    @classmethod
    def from_json(cls, line: str | bytes) -> "TraceRecord":
        d = json.loads(line)
        return cls(op=d["op"], args=d.get("args") or {}, pid=d.get("pid", 0), time=d.get("time", 0.0),
                   error=d.get("error"))

    def describe(self) -> str:
        """A one-line human form: ``mount overlay -> /rootfs (flags=MS_NODEV)``."""
        parts = " ".join(f"{k}={v}" for k, v in self.args.items())
        tail = f"  !! {self.error}" if self.error else ""
        return f"[{self.pid}] {self.op} {parts}{tail}"


TraceSink = Callable[[TraceRecord], None]


class Tracer:
    """Fans records out to sinks. With no sinks, ``emit`` costs one attribute check."""

    __slots__ = ("_sinks",)

    def __init__(self, *sinks: TraceSink) -> None:
        self._sinks: list[TraceSink] = list(sinks)

    @property
    def enabled(self) -> bool:
        return bool(self._sinks)

    def add_sink(self, sink: TraceSink) -> None:
        self._sinks.append(sink)

    def emit(self, op: str, error: str | None = None, **args: Any) -> None:
        if not self._sinks:
            return
        rec = TraceRecord(op=op, args=args, pid=os.getpid(), time=time.time(), error=error)
        for sink in self._sinks:
            sink(rec)

    def forward(self, rec: TraceRecord) -> None:
        """Pass on a record made elsewhere (a container's init, over a pipe)."""
        for sink in self._sinks:
            sink(rec)


class ListSink:
    """Collects records in memory (tests, ``--trace`` in one process)."""

    def __init__(self) -> None:
        self.records: list[TraceRecord] = []

    def __call__(self, rec: TraceRecord) -> None:
        self.records.append(rec)

    def ops(self) -> list[str]:
        return [r.op for r in self.records]


class FdSink:
    """Writes one JSON line per record to a file descriptor (a pipe to the parent).

    Used inside a container's init between fork and exec, so it makes one ``os.write``
    per record and never buffers: whatever was written survives the exec.
    """

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def __call__(self, rec: TraceRecord) -> None:
        os.write(self.fd, rec.to_json().encode() + b"\n")


NULL_TRACER = Tracer()
