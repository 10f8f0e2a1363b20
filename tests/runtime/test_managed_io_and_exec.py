"""Managed stdio (log + attach socket), resize and exec into a running container (root only)."""

from __future__ import annotations

import json
import os
import socket
import struct
import time

import pytest

from sandbox.runtime.logs import read_json_file
from sandbox.runtime.runtime import ProcessIO

pytestmark = pytest.mark.root


def _attach(path, **want) -> socket.socket:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(str(path))
    s.sendall(json.dumps(want).encode() + b"\n")
    return s


def _read_frames(s: socket.socket, until: bytes | None, timeout: float = 10.0) -> dict[int, bytes]:
    """Frames until ``until`` shows up (None: until the shim closes the stream)."""
    out: dict[int, bytes] = {1: b"", 2: b""}
    buf = b""
    s.settimeout(0.2)
    end = time.monotonic() + timeout
    while (until is None or until not in out[1] + out[2]) and time.monotonic() < end:
        try:
            chunk = s.recv(65536)
        except TimeoutError:
            continue
        if not chunk:
            break
        buf += chunk
        while len(buf) >= 8:
            stream, size = struct.unpack(">BxxxL", buf[:8])
            if len(buf) < 8 + size:
                break
            out[stream] += buf[8:8 + size]
            buf = buf[8 + size:]
    return out


def test_attach_stdin_once_and_log(harness) -> None:
    log = harness.work / "a.log"
    cid = harness.new_id()
    spec = harness.spec(["sh", "-c", "while read l; do echo got:$l; echo err:$l >&2; done; echo bye"])
    harness.rt.create(cid, spec, harness.rootfs.parent,
                      io=ProcessIO.managed(str(log), open_stdin=True, stdin_once=True))
    s = _attach(harness.rt.attach_socket(cid), stdin=True, stdout=True, stderr=True)
    harness.rt.start(cid)
    s.sendall(b"one\ntwo\n")
    s.shutdown(socket.SHUT_WR)  # end of input: the container's stdin closes (stdin_once)
    out = _read_frames(s, None)
    s.close()
    assert out[1] == b"got:one\ngot:two\nbye\n"
    assert out[2] == b"err:one\nerr:two\n"
    assert harness.rt.wait(cid).code == 0
    streams = [(r["stream"], r["log"]) for r in read_json_file(str(log))]
    assert ("stdout", "bye\n") in streams and ("stderr", "err:two\n") in streams
    harness.rt.delete(cid)


def test_tty_container_resize_and_exec(harness) -> None:
    cid = harness.new_id()
    spec = harness.spec(["sh", "-c", "read l; stty size; sleep 30"])
    spec.process.terminal = True
    harness.rt.create(cid, spec, harness.rootfs.parent, io=ProcessIO.managed(open_stdin=True, tty=True))
    s = _attach(harness.rt.attach_socket(cid), stdin=True, stdout=True)
    harness.rt.start(cid)
    harness.rt.resize(cid, 40, 120)
    s.sendall(b"\n")
    out = _read_frames(s, b"40 120")
    assert b"40 120" in out[1], out

    # exec: a second process in the same namespaces, with its own output
    r, w = os.pipe()
    null = os.open(os.devnull, os.O_RDONLY)
    proc = harness.spec(["sh", "-c", "hostname; echo pid=$$; cat /proc/1/cmdline | tr '\\0' ' '"]).process
    try:
        handle = harness.rt.exec(cid, proc, ProcessIO("fds", fds=(null, w, w)))
    finally:
        os.close(w)
        os.close(null)
    assert handle.wait() == 0
    text = os.read(r, 65536).decode()
    os.close(r)
    lines = text.split("\n")
    # same uts and pid namespaces: the container's hostname, and its pid 1 (the shell
    # has exec'd its last command, sleep) is visible, while ours is another pid
    assert lines[0] == "box" and lines[1] != "pid=1" and lines[1].startswith("pid="), text
    assert "sleep 30" in lines[2], text
    s.close()
    harness.rt.delete(cid, force=True)


def test_exec_missing_program_fails_clearly(harness) -> None:
    from sandbox.errors import SandboxError

    cid = harness.new_id()
    spec = harness.spec(["sleep", "30"])
    null = os.open(os.devnull, os.O_RDWR)
    try:
        harness.rt.create(cid, spec, harness.rootfs.parent, io=ProcessIO("fds", fds=(null, null, null)))
        harness.rt.start(cid)
        proc = harness.spec(["nope"]).process
        with pytest.raises(SandboxError, match="executable file not found"):
            harness.rt.exec(cid, proc, ProcessIO("fds", fds=(null, null, null)))
    finally:
        os.close(null)
    harness.rt.delete(cid, force=True)


def test_shim_keeps_none_of_the_callers_other_descriptors(harness) -> None:
    """A pipe the caller holds must not stay open in the shim: its reader would never see EOF."""
    r, w = os.pipe()
    cid = harness.new_id()
    spec = harness.spec(["sleep", "30"])
    harness.rt.create(cid, spec, harness.rootfs.parent, io=ProcessIO.managed(None))
    try:
        shim = harness.rt.state(cid).shim_pid
        target = os.readlink(f"/proc/self/fd/{w}")
        held = [os.readlink(f"/proc/{shim}/fd/{fd}") for fd in os.listdir(f"/proc/{shim}/fd")]
        assert target not in held, held
        os.close(w)
        assert os.read(r, 1) == b""  # EOF at once: nobody else holds the write end
    finally:
        os.close(r)
        harness.rt.delete(cid, force=True)


def test_attach_socket_works_under_a_long_state_root(tmp_path, rootfs, unique) -> None:
    from sandbox.runtime.relay import connect_unix
    from sandbox.runtime.runtime import Runtime
    from tests.runtime.conftest import docker_like_spec
    from sandbox.runtime.spec import parse_spec

    deep = tmp_path / ("d" * 60) / ("e" * 60)
    rt = Runtime(deep)
    spec = parse_spec(docker_like_spec(["echo", "deep"]), rootfs.parent)
    spec.root.readonly = True
    rt.create(unique, spec, rootfs.parent, io=ProcessIO.managed(None))
    try:
        assert len(str(rt.attach_socket(unique))) > 108
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        connect_unix(s, str(rt.attach_socket(unique)))
        s.sendall(b'{"stdout": true}\n')
        rt.start(unique)
        out = _read_frames(s, None)
        s.close()
        assert out[1] == b"deep\n"
    finally:
        rt.delete(unique, force=True)
