"""attach and logs on real containers (root only)."""

from __future__ import annotations

import socket
import time

import pytest

from sandbox.engine.containers.attach import frames

pytestmark = pytest.mark.root


def test_attach_before_start_gets_all_output_and_gives_input(h) -> None:
    script = "echo ready; read x; echo got $x; echo bad >&2"
    cid = h.svc.create({"Image": "busybox", "Cmd": ["sh", "-c", script],
                        "OpenStdin": True, "StdinOnce": True, "AttachStdin": True}, "talk")["Id"]
    att = h.svc.attach(cid, stdin=True, stdout=True, stderr=True, stream=True)
    try:
        h.svc.start(cid)
        att.sock.sendall(b"word\n")
        att.sock.shutdown(socket.SHUT_WR)
        got = list(frames(att.sock))
    finally:
        att.close()
    by_stream = {n: b"".join(p for s, p in got if s == n) for n in (1, 2)}
    assert by_stream == {1: b"ready\ngot word\n", 2: b"bad\n"}
    assert h.svc.wait(cid, timeout=10)["StatusCode"] == 0
    assert h.actions(cid)[:3] == ["create", "attach", "start"]


def test_attach_with_logs_replays_first(h) -> None:
    cid = h.run(["sh", "-c", "echo before; sleep 100"], "replay")
    from tests.engine.containers.conftest import eventually

    eventually(lambda: list(h.svc.logs(cid)), what="output")
    att = h.svc.attach(cid, stream=False, logs=True)
    assert att.sock is None and att.replay == [(1, b"before\n")]


def test_logs_options(h) -> None:
    cid = h.run(["sh", "-c", "echo one; echo two >&2; echo three"], "chatty")
    h.svc.wait(cid, timeout=10)
    everything = [p for _, p, _ in h.svc.logs(cid)]
    # stdout and stderr are two pipes: their lines interleave in no fixed order
    assert sorted(everything) == [b"one\n", b"three\n", b"two\n"]
    assert [p for _, p, _ in h.svc.logs(cid, tail=1)] == everything[-1:]
    assert [p for _, p, _ in h.svc.logs(cid, stderr=False)] == [b"one\n", b"three\n"]
    stamped = [p for _, p, _ in h.svc.logs(cid, timestamps=True)]
    assert all(p.split(b" ", 1)[0].endswith(b"Z") for p in stamped)
    assert [p for _, p, _ in h.svc.logs(cid, since=time.time() + 60)] == []
    assert [p for _, p, _ in h.svc.logs(cid, tail="0")] == []


def test_logs_follow_ends_when_the_container_stops(h) -> None:
    cid = h.run(["sh", "-c", "for i in 1 2 3; do echo $i; sleep 0.2; done"], "counter")
    got = [p for _, p, _ in h.svc.logs(cid, follow=True)]
    assert got == [b"1\n", b"2\n", b"3\n"]
    assert not h.svc.inspect(cid)["State"]["Running"]


def test_tty_container_output_and_resize(h) -> None:
    cid = h.svc.create({"Image": "busybox", "Cmd": ["sh", "-c", "read x; stty size"], "Tty": True,
                        "OpenStdin": True, "HostConfig": {"ConsoleSize": [20, 60]}}, "term")["Id"]
    att = h.svc.attach(cid, stdin=True, stream=True)
    try:
        h.svc.start(cid)
        h.svc.resize(cid, 33, 77)
        att.sock.sendall(b"\n")
        text = b"".join(p for _, p in frames(att.sock))
    finally:
        att.close()
    assert b"33 77" in text, text
    assert h.actions(cid).count("resize") == 1
