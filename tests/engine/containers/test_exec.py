"""docker exec through the service: output, exit codes, stdin, tty, errors (root only)."""

from __future__ import annotations

import os
import socket

import pytest

from sandbox.errors import ContainerConflict, InvalidParameter, NoSuchExec

pytestmark = pytest.mark.root


def _drain(fd: int) -> bytes:
    out = b""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO: a pty whose other side is gone
            break
        if not chunk:
            break
        out += chunk
    return out


def _exec(h, cid: str, cmd: list[str], **cfg) -> tuple[bytes, bytes, int | None]:
    eid = h.svc.exec_create(cid, {"Cmd": cmd, "AttachStdout": True, "AttachStderr": True, **cfg})["Id"]
    session = h.svc.exec_start(eid)
    try:
        out, err = _drain(session.stdout), _drain(session.stderr)
        code = session.finish()
    finally:
        session.close()
    assert h.svc.exec_inspect(eid)["ExitCode"] == code and not h.svc.exec_inspect(eid)["Running"]
    return out, err, code


def test_thirty_execs_are_all_correct(h) -> None:
    cid = h.run(["sleep", "100"], "target")
    for i in range(30):
        out, err, code = _exec(h, cid, ["sh", "-c", f"echo out{i}; echo err{i} >&2; exit {i % 4}"])
        assert (out, err, code) == (f"out{i}\n".encode(), f"err{i}\n".encode(), i % 4)
    assert h.actions(cid).count("exec_die") == 30
    assert len(h.svc.inspect(cid)["ExecIDs"]) == 30


def test_exec_env_user_workdir_and_stdin(h) -> None:
    cid = h.run(["sleep", "100"], "target", Env=["FROM_RUN=1"])
    out, _, code = _exec(h, cid, ["sh", "-c", "echo $FROM_RUN $EXTRA $(id -u) $(pwd)"], Env=["EXTRA=x"],
                         User="nobody", WorkingDir="/tmp")
    assert (out, code) == (b"1 x 65534 /tmp\n", 0)
    eid = h.svc.exec_create(cid, {"Cmd": ["cat"], "AttachStdin": True, "AttachStdout": True})["Id"]
    session = h.svc.exec_start(eid)
    session.stdin.sendall(b"through stdin\n")
    session.stdin.shutdown(socket.SHUT_WR)
    assert _drain(session.stdout) == b"through stdin\n"
    assert session.finish() == 0
    session.close()


def test_exec_with_a_terminal(h) -> None:
    cid = h.run(["sleep", "100"], "target")
    script = "[ -t 0 ] && [ -t 1 ] && echo terminal; stty size"
    eid = h.svc.exec_create(cid, {"Cmd": ["sh", "-c", script], "Tty": True, "AttachStdout": True,
                                  "ConsoleSize": [30, 100]})["Id"]
    session = h.svc.exec_start(eid)
    assert session.pty_master is not None and session.stdout is None
    text = _drain(session.pty_master).decode()
    assert session.finish() == 0
    session.close()
    assert text.replace("\r\n", "\n") == "terminal\n30 100\n", text


def test_exec_errors(h) -> None:
    cid = h.svc.create({"Image": "busybox", "Cmd": ["sleep", "100"]}, "idle")["Id"]
    with pytest.raises(ContainerConflict, match=f"container {cid} is not running"):
        h.svc.exec_create(cid, {"Cmd": ["true"]})
    h.svc.start(cid)
    with pytest.raises(InvalidParameter, match="No exec command specified"):
        h.svc.exec_create(cid, {"Cmd": []})
    eid = h.svc.exec_create(cid, {"Cmd": ["nope"]})["Id"]
    with pytest.raises(InvalidParameter, match="executable file not found"):
        h.svc.exec_start(eid)
    assert h.svc.exec_inspect(eid)["ExitCode"] == 127
    with pytest.raises(ContainerConflict, match="has already run"):
        h.svc.exec_start(eid)
    with pytest.raises(NoSuchExec, match="No such exec instance: feed"):
        h.svc.exec_inspect("feed")
    h.svc.pause(cid)
    with pytest.raises(ContainerConflict, match="is paused"):
        h.svc.exec_create(cid, {"Cmd": ["true"]})
