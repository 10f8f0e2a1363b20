"""Reading a container's json-file log: ``docker logs`` (with follow, tail, since, until,
timestamps) and the replay before an attach with ``logs=1``.

Each line of ``<id>-json.log`` is ``{"log": "...", "stream": "stdout", "time": "..."}``,
written by the container's shim. Following polls the file every 100 ms until the container
has stopped and everything it wrote has been read.
"""

from __future__ import annotations

import json
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sandbox.engine.containers.timefmt import parse_rfc3339

STDOUT, STDERR = 1, 2
POLL = 0.1


@dataclass(frozen=True)
class LogQuery:
    stdout: bool = True
    stderr: bool = True
    since: float | None = None
    until: float | None = None
    timestamps: bool = False
    tail: int | None = None
    """The last N lines only; None: all."""


def parse_tail(value: str | int | None) -> int | None:
    if value is None or value == "" or value == "all":
        return None
    try:
        n = int(value)
    except (TypeError, ValueError):
        from sandbox.errors import InvalidParameter

        raise InvalidParameter(f"invalid tail value {value!r}", "tail", "give a number or all") from None
    return None if n < 0 else n


def _entry(line: bytes, q: LogQuery) -> tuple[int, bytes, str] | None:
    try:
        rec = json.loads(line)
    except ValueError:
        return None  # a damaged line (a crash mid-write) is skipped, not fatal
    stream = STDERR if rec.get("stream") == "stderr" else STDOUT
    if (stream == STDOUT and not q.stdout) or (stream == STDERR and not q.stderr):
        return None
    stamp = str(rec.get("time") or "")
    payload = str(rec.get("log") or "").encode()
    if q.since is not None or q.until is not None:
        t = parse_rfc3339(stamp) if stamp else None
        if t is not None and q.since is not None and t < q.since:
            return None
        if t is not None and q.until is not None and t > q.until:
            return None
    if q.timestamps:
        payload = stamp.encode() + b" " + payload
    return stream, payload, stamp


def read(path: str, q: LogQuery, follow: bool = False,
         still_running: Callable[[], bool] = lambda: False) -> Iterator[tuple[int, bytes, str]]:
    """(stream, payload, time) for each logged chunk of output, oldest first."""
    try:
        f = open(path, "rb")
    except FileNotFoundError:
        return
    with f:
        pending = b""
        first = True
        while True:
            chunk = f.read()
            data = pending + chunk
            lines = data.split(b"\n")
            pending = lines.pop()  # a line being written: finish it on the next read
            entries = (e for e in (_entry(x, q) for x in lines if x.strip()) if e is not None)
            if first and q.tail is not None:
                entries = iter(deque(entries, maxlen=q.tail)) if q.tail else iter(())
            first = False
            yield from entries
            if not follow:
                return
            if not chunk:
                if not still_running():
                    # One more read: the shim writes its last lines before the exit is known.
                    rest = pending + f.read()
                    for x in rest.split(b"\n"):
                        e = _entry(x, q) if x.strip() else None
                        if e is not None:
                            yield e
                    return
                time.sleep(POLL)
