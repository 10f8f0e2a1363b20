"""Docker's json-file log format: one JSON object per line of output.

``{"log":"hi\\n","stream":"stdout","time":"2026-11-25T16:52:50.123456789Z"}``
A partial line is held until its newline arrives (or the stream ends), as dockerd does.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator


def rfc3339nano(t: float | None = None) -> str:
    ns = time.time_ns() if t is None else int(t * 1e9)
    secs, frac = divmod(ns, 1_000_000_000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(secs)) + f".{frac:09d}Z"


class JsonFileLog:
    def __init__(self, path: str) -> None:
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o640)
        self._partial: dict[str, bytes] = {"stdout": b"", "stderr": b""}

    def write(self, stream: str, data: bytes) -> None:
        data = self._partial[stream] + data
        lines = data.split(b"\n")
        self._partial[stream] = lines.pop()
        for line in lines:
            self._emit(stream, line + b"\n")

    def flush(self, stream: str) -> None:
        if self._partial[stream]:
            self._emit(stream, self._partial[stream])
            self._partial[stream] = b""

    def _emit(self, stream: str, payload: bytes) -> None:
        rec = {"log": payload.decode("utf-8", "replace"), "stream": stream, "time": rfc3339nano()}
        os.write(self.fd, json.dumps(rec, ensure_ascii=False).encode() + b"\n")

    def close(self) -> None:
        for stream in self._partial:
            self.flush(stream)
        os.close(self.fd)


def read_json_file(path: str) -> Iterator[dict[str, str]]:
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)
