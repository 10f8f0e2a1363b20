"""The fork server: requests, descriptor renumbering, and containers whose shims it forks."""

from __future__ import annotations

import fcntl
import io
import json
import os
import pickle
import re
import signal
import socket
import subprocess
import sys
import threading
from typing import Self

import pytest

from sandbox.linux import proc
from sandbox.linux.trace import NULL_TRACER, ListSink, Tracer
from sandbox.runtime import forkserver
from sandbox.runtime.forkserver import ForkServer, ForkServerError, decode_header, encode


class _Cfg:
    """Stands in for a ShimConfig: encode pickles whatever it is given."""

    def __init__(self, **kw: object) -> None:
        self.__dict__.update(kw)


def _roundtrip(obj: object) -> object:
    payload, _ = encode(obj, set())
    _, _, at = decode_header(payload)
    return pickle.loads(payload[at:])


def test_the_header_carries_numbers_and_close_on_exec_flags_of_open_descriptors() -> None:
    r, w = os.pipe()  # close-on-exec, as Python makes them
    os.set_inheritable(w, True)
    closed = max(r, w) + 50  # not open
    try:
        payload, fds = encode(_Cfg(x=1), {r, w, closed})
        numbers, cloexec, at = decode_header(payload)
        assert fds == numbers == sorted([r, w])
        assert cloexec == [fd == r for fd in numbers]
        assert at < len(payload)
    finally:
        os.close(r)
        os.close(w)


def test_a_tracer_does_not_cross_and_a_socket_keeps_its_number() -> None:
    sink = ListSink()
    a, b = socket.socketpair()
    try:
        got = _roundtrip(_Cfg(tracer=Tracer(sink), sock=a))
        assert got.tracer is NULL_TRACER  # the caller's sinks stay with the caller
        assert got.sock.fileno() == a.fileno()
        assert got.sock.family == socket.AF_UNIX
        got.sock.detach()  # the same descriptor as ``a``: close it once
    finally:
        a.close()
        b.close()


def test_a_configuration_that_cannot_cross_is_refused_by_name() -> None:
    """Refused before anything is sent: the server never sees half a request."""
    server = ForkServer(proc=None, sock=None)  # type: ignore[arg-type]
    with pytest.raises(ForkServerError, match="cannot be sent: .*lock"):
        server.spawn(_Cfg(lock=threading.Lock()), set())


@pytest.mark.root
def test_renumbering_restores_numbers_and_flags_and_closes_the_rest() -> None:
    """In a child, as the server's child does it: two received descriptors go to the
    numbers they had, one of them onto a number another still holds."""
    r, w = os.pipe()
    spare_r, spare_w = os.pipe()
    server = os.open(os.devnull, os.O_RDONLY)
    status_r, status_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            received = [os.dup(w), os.dup(r)]
            # ``w`` (inheritable) must land where ``spare_r`` is, ``r`` (close-on-exec) at ``w``.
            forkserver._renumber(received, [spare_r, w], [False, True], server)
            ok = (os.get_inheritable(spare_r) and not os.get_inheritable(w)
                  and _access(spare_r) == os.O_WRONLY and _access(w) == os.O_RDONLY)
            try:
                os.fstat(server)
                ok = False  # the server's socket must be closed
            except OSError:
                pass
            os.write(status_w, b"1" if ok else b"0")
        finally:
            os._exit(0)
    os.close(status_w)
    try:
        assert os.read(status_r, 1) == b"1"
    finally:
        os.waitpid(pid, 0)
        for fd in (r, w, spare_r, spare_w, server, status_r):
            os.close(fd)


@pytest.mark.root
def test_containers_from_the_fork_server(harness) -> None:
    """The shim is the server's child, the container gets only its stdio, and wait,
    delete and close work without our being its parent."""
    from sandbox.runtime.runtime import ProcessIO

    rt = harness.rt
    rt.use_fork_server()
    server = rt._forker.proc.pid
    cid = harness.new_id()
    out = harness.work / "out"
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        spec = harness.spec(["sh", "-c", "ls /proc/self/fd; echo done"])
        created = rt.create(cid, spec, harness.rootfs.parent, io=ProcessIO("fds", fds=(fd, fd, fd)))
    finally:
        os.close(fd)
    shim_pid = created.state.shim_pid
    assert int(proc.read_status(shim_pid)["PPid"]) == server
    assert server in proc.children(os.getpid())
    # The server reaps its children from a SIGCHLD handler; a shim that kept it would have
    # its init reaped under it.
    caught = int(proc.read_status(shim_pid)["SigCgt"], 16)
    assert not caught & (1 << (signal.SIGCHLD - 1)), hex(caught)
    rt.start(cid)
    assert rt.wait(cid).code == 0
    rt.delete(cid)
    rt.reap_ending(cid)
    text = out.read_text()
    assert "done" in text
    # 0, 1, 2 and the descriptor ls opens: no other descriptor of the runtime crossed exec.
    assert sorted(int(n) for n in re.findall(r"^\d+$", text, re.MULTILINE)) == [0, 1, 2, 3], text
    assert proc.start_time(shim_pid) is None  # gone, and reaped by the server
    rt.close()
    assert rt._forker is None
    assert proc.start_time(server) is None or proc.process_state(server) in ("Z", "X")


_SERVER_MODULES = """
import json, runpy, socket, sys
ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
theirs.close()  # the server reads end-of-file once it is ready, and returns
sys.argv = ["forkserver", str(ours.fileno()), "test"]
try:
    runpy.run_module("sandbox.runtime.forkserver", run_name="__main__", alter_sys=True)
except SystemExit as e:
    assert e.code == 0, e.code
print(json.dumps(sorted(sys.modules)))
"""


def _modules_named(pickled: bytes) -> set[str]:
    """The modules a pickle's globals come from. Loaded with stand-ins for every global,
    so nothing is rebuilt here (a socket would adopt a descriptor number that is not ours)."""
    modules: set[str] = set()

    class StandIn:
        def __new__(cls, *args: object, **kw: object) -> Self:
            return object.__new__(cls)

        def __init__(self, *args: object, **kw: object) -> None:
            pass

        def __setstate__(self, state: object) -> None:
            pass

    class Recorder(pickle.Unpickler):
        def find_class(self, module: str, name: str) -> type:
            modules.add(module)
            return StandIn

    Recorder(io.BytesIO(pickled)).load()
    return modules


@pytest.mark.root
def test_a_shim_configuration_names_only_modules_the_server_has_loaded(harness, monkeypatch) -> None:
    """A module the pickle names that the server lacks is imported again in every child,
    before the shim starts: the server started as ``python -m`` once did that with itself."""
    sent: list[bytes] = []
    encode_real = forkserver.encode

    def encode_and_keep(cfg: object, keep: set[int]) -> tuple[bytes, list[int]]:
        payload, fds = encode_real(cfg, keep)
        sent.append(payload[decode_header(payload)[2]:])
        return payload, fds

    monkeypatch.setattr(forkserver, "encode", encode_and_keep)
    harness.rt.use_fork_server()
    code, out, _ = harness.run(["echo", "hi"])
    harness.rt.close()
    assert code == 0 and "hi" in out
    named = _modules_named(sent[0])
    assert "sandbox.runtime.forkserver" in named and "sandbox.runtime.shim" in named
    listed = subprocess.run([sys.executable, "-c", _SERVER_MODULES], capture_output=True, text=True,
                            check=True, timeout=60).stdout
    assert named - set(json.loads(listed)) == set()


@pytest.mark.root
def test_an_exec_helper_from_the_fork_server_reports_the_exit_code(harness) -> None:
    """The helper is the server's child, so its exit status is not ours to read: the code
    comes down the status pipe, including a signal's."""
    from sandbox.runtime.runtime import ProcessIO

    rt = harness.rt
    rt.use_fork_server()
    server = rt._forker.proc.pid
    cid = harness.new_id()
    null = os.open(os.devnull, os.O_RDWR)
    r, w = os.pipe()
    try:
        rt.create(cid, harness.spec(["sleep", "30"]), harness.rootfs.parent, io=ProcessIO("fds", fds=(null, null, null)))
        rt.start(cid)
        done = rt.exec(cid, harness.spec(["sh", "-c", "echo in; exit 7"]).process, ProcessIO("fds", fds=(null, w, w)))
        assert not done.reap and int(proc.read_status(done.pid)["PPid"]) == server
        assert done.wait() == 7 and done.wait() == 7
        killed = rt.exec(cid, harness.spec(["sh", "-c", "kill -9 $$"]).process, ProcessIO("fds", fds=(null, w, w)))
        assert killed.wait() == 128 + signal.SIGKILL
    finally:
        os.close(w)
        os.close(null)
        rt.delete(cid, force=True)
        rt.close()
    assert os.read(r, 100) == b"in\n"
    os.close(r)


def test_an_exec_helper_that_ends_without_a_word_counts_as_killed() -> None:
    """Killed itself (an OOM kill, ``docker rm -f``): only its parent, the server, learns
    how, so the code is SIGKILL's."""
    from sandbox.runtime.exec import ExecProcess

    r, w = os.pipe()
    os.close(w)
    assert ExecProcess(pid=0, status_fd=r, reap=False).wait() == 128 + signal.SIGKILL


@pytest.mark.root
def test_a_server_that_died_is_replaced(harness) -> None:
    """Killed by hand or by the OOM killer: the next create starts a new server."""
    rt = harness.rt
    rt.use_fork_server()
    first = rt._forker.proc
    first.kill()
    first.wait()
    code, out, _ = harness.run(["echo", "still here"])
    assert code == 0 and "still here" in out
    assert rt._forker.proc is not first and rt._forker.proc.poll() is None
    rt.close()


@pytest.mark.root
def test_a_server_that_does_not_answer_is_reported() -> None:
    server = ForkServer.start("test")
    try:
        server._sock.shutdown(socket.SHUT_RDWR)  # the connection is broken, the server alive
        with pytest.raises(ForkServerError, match="fork server failed: no answer: .*Broken pipe"):
            server.spawn(_Cfg(x=1), {0, 1, 2})
    finally:
        server.close()


@pytest.mark.root
def test_the_server_ends_when_its_caller_closes_the_socket() -> None:
    server = ForkServer.start("test")
    server.close()
    assert server.proc.returncode == 0


def test_the_server_needs_its_arguments(capsys: pytest.CaptureFixture[str]) -> None:
    assert forkserver.main([]) == 2
    assert "usage" in capsys.readouterr().err


def _access(fd: int) -> int:
    return fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE
