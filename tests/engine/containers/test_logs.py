"""Reading the json-file log: filters, tail, timestamps, follow."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from sandbox.engine.containers.logs import LogQuery, parse_tail, read
from sandbox.errors import InvalidParameter


def _write(path: Path, *entries: tuple[str, str, str]) -> None:
    with open(path, "a") as f:
        for stream, text, time in entries:
            f.write(json.dumps({"log": text, "stream": stream, "time": time}) + "\n")


def test_read_with_filters(tmp_path: Path) -> None:
    log = tmp_path / "c-json.log"
    _write(log, ("stdout", "a\n", "2024-01-01T00:00:01.000000000Z"),
           ("stderr", "b\n", "2024-01-01T00:00:02.5Z"),
           ("stdout", "c\n", "2024-01-01T00:00:03.000000000Z"))
    with open(log, "a") as f:
        f.write('{"log": "cut')  # a line being written: not read yet
    assert [(s, p) for s, p, _ in read(str(log), LogQuery())] == [(1, b"a\n"), (2, b"b\n"), (1, b"c\n")]
    assert [p for _, p, _ in read(str(log), LogQuery(stderr=False))] == [b"a\n", b"c\n"]
    assert [p for _, p, _ in read(str(log), LogQuery(tail=2))] == [b"b\n", b"c\n"]
    assert [p for _, p, _ in read(str(log), LogQuery(tail=0))] == []
    since = 1704067202.0  # 00:00:02
    assert [p for _, p, _ in read(str(log), LogQuery(since=since))] == [b"b\n", b"c\n"]
    assert [p for _, p, _ in read(str(log), LogQuery(until=since))] == [b"a\n"]
    assert next(read(str(log), LogQuery(timestamps=True)))[1] == b"2024-01-01T00:00:01.000000000Z a\n"
    assert list(read(str(tmp_path / "missing.log"), LogQuery())) == []


def test_follow_reads_new_lines_until_stopped(tmp_path: Path) -> None:
    log = tmp_path / "f-json.log"
    _write(log, ("stdout", "first\n", "2024-01-01T00:00:01Z"))
    running = threading.Event()
    running.set()
    got: list[bytes] = []
    reader = read(str(log), LogQuery(), follow=True, still_running=running.is_set)
    got.append(next(reader)[1])
    _write(log, ("stdout", "second\n", "2024-01-01T00:00:02Z"))
    got.append(next(reader)[1])
    _write(log, ("stdout", "last\n", "2024-01-01T00:00:03Z"))
    running.clear()  # the container stopped after writing "last": it is still read
    got += [p for _, p, _ in reader]
    assert got == [b"first\n", b"second\n", b"last\n"]


def test_parse_tail() -> None:
    assert parse_tail("all") is None and parse_tail("5") == 5 and parse_tail(-1) is None
    with pytest.raises(InvalidParameter, match="invalid tail value"):
        parse_tail("lots")
