"""The streaming container routes over a real container service: wait, attach, logs, exec,
stats, export, archive and the pictures, checked on the wire as the docker clients read it."""

from __future__ import annotations

import base64
import io
import json
import socket
import tarfile
import time
from pathlib import Path
from typing import Any

import pytest

from sandbox.engine.http import MULTIPLEXED, RAW_STREAM, STDOUT, frame
from sandbox.engine.http.frames import split_frames

from ..conftest import ContainerApi
from .test_containers_api import create

pytestmark = pytest.mark.root


class Wire:
    """One raw connection: a request out, the reply head in, then the raw stream."""

    def __init__(self, sock_path: Path) -> None:
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.settimeout(30)
        self.sock.connect(str(sock_path))
        self.buf = b""

    def send(self, method: str, path: str, body: Any = None, upgrade: bool = False) -> tuple[int, dict[str, str]]:
        data = b"" if body is None else json.dumps(body).encode()
        head = f"{method} {path} HTTP/1.1\r\nHost: api.moby.localhost\r\nContent-Length: {len(data)}\r\n"
        if body is not None:
            head += "Content-Type: application/json\r\n"
        if upgrade:
            head += "Connection: Upgrade\r\nUpgrade: tcp\r\n"
        self.sock.sendall(head.encode() + b"\r\n" + data)
        while b"\r\n\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            assert chunk, "the connection closed before the reply head"
            self.buf += chunk
        raw, _, self.buf = self.buf.partition(b"\r\n\r\n")
        lines = raw.decode().split("\r\n")
        headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
        return int(lines[0].split()[1]), headers

    def rest(self) -> bytes:
        """Everything until the server closes."""
        out = self.buf
        self.buf = b""
        while chunk := self.sock.recv(65536):
            out += chunk
        return out

    def close(self) -> None:
        self.sock.close()


def by_stream(data: bytes) -> dict[int, bytes]:
    out: dict[int, bytes] = {}
    for stream, payload in split_frames(data):
        out[stream] = out.get(stream, b"") + payload
    return out


def test_wait_answers_its_headers_before_start(container_api: ContainerApi) -> None:
    api = container_api
    cid = create(api, ["sh", "-c", "exit 3"], "waited")
    w = Wire(api.socket)
    try:
        status, headers = w.send("POST", f"/containers/{cid}/wait?condition=next-exit")
        assert status == 200 and headers["transfer-encoding"] == "chunked"  # before the start
        assert api.client.post(f"/containers/{cid}/start").status == 204
        body = w.rest()
    finally:
        w.close()
    doc = json.loads(body.split(b"\r\n")[1])  # the one chunk
    assert doc == {"StatusCode": 3, "Error": None}
    bad = api.client.post(f"/containers/{cid}/wait", query={"condition": "maybe"})
    assert bad.status == 400


def test_attach_before_start_gets_all_output_in_frames(container_api: ContainerApi) -> None:
    api = container_api
    cid = create(api, ["sh", "-c", "echo out; echo err >&2; exit 2"], AttachStdout=True, AttachStderr=True)
    w = Wire(api.socket)
    try:
        status, headers = w.send("POST", f"/containers/{cid}/attach?stream=1&stdout=1&stderr=1", upgrade=True)
        assert status == 101 and headers["content-type"] == MULTIPLEXED and headers["upgrade"] == "tcp"
        api.client.post(f"/containers/{cid}/start")
        output = w.rest()
    finally:
        w.close()
    assert by_stream(output) == {1: b"out\n", 2: b"err\n"}
    assert api.client.post(f"/containers/{cid}/wait").json()["StatusCode"] == 2


def test_attach_with_stdin_and_half_close(container_api: ContainerApi) -> None:
    api = container_api
    cid = create(api, ["tr", "a-z", "A-Z"], OpenStdin=True, StdinOnce=True, AttachStdin=True)
    w = Wire(api.socket)
    try:
        status, _ = w.send("POST", f"/containers/{cid}/attach?stream=1&stdin=1&stdout=1&stderr=1", upgrade=True)
        assert status == 101
        api.client.post(f"/containers/{cid}/start")
        w.sock.sendall(b"quiet words\n")
        w.sock.shutdown(socket.SHUT_WR)  # the end of input: tr finishes
        output = w.rest()
    finally:
        w.close()
    assert by_stream(output) == {1: b"QUIET WORDS\n"}
    assert api.client.post(f"/containers/{cid}/wait").json()["StatusCode"] == 0


def test_attach_to_a_tty_container_is_raw(container_api: ContainerApi) -> None:
    api = container_api
    cid = create(api, ["echo", "on a terminal"], Tty=True)
    w = Wire(api.socket)
    try:
        status, headers = w.send("POST", f"/containers/{cid}/attach?stream=1&stdout=1&stderr=1", upgrade=True)
        assert status == 101 and headers["content-type"] == RAW_STREAM
        api.client.post(f"/containers/{cid}/start")
        output = w.rest()
    finally:
        w.close()
    assert output == b"on a terminal\r\n"  # the terminal's line discipline, no frames


def test_attach_with_logs_replays_earlier_output(container_api: ContainerApi) -> None:
    api = container_api
    cid = create(api, ["echo", "earlier"])
    api.client.post(f"/containers/{cid}/start")
    api.client.post(f"/containers/{cid}/wait")
    w = Wire(api.socket)
    try:
        status, _ = w.send("POST", f"/containers/{cid}/attach?logs=1&stdout=1", upgrade=True)
        assert status == 101
        assert by_stream(w.rest()) == {1: b"earlier\n"}
    finally:
        w.close()


def test_logs_frames_tail_timestamps_and_tty(container_api: ContainerApi) -> None:
    api = container_api
    cid = create(api, ["sh", "-c", "echo one; echo two >&2; echo three"])
    api.client.post(f"/containers/{cid}/start")
    api.client.post(f"/containers/{cid}/wait")
    r = api.client.get(f"/v1.47/containers/{cid}/logs", query={"stdout": "1", "stderr": "1"})
    assert r.status == 200 and r.headers.get("Content-Type") == MULTIPLEXED
    # stdout and stderr are two pipes: their relative order is the shim's reading order.
    frames = list(split_frames(r.body))
    assert [f for f in frames if f[0] == 1] == [(1, b"one\n"), (1, b"three\n")] and (2, b"two\n") in frames
    tail = api.client.get(f"/containers/{cid}/logs", query={"stdout": "1", "stderr": "1", "tail": "1"})
    assert list(split_frames(tail.body)) == frames[-1:]
    only_err = api.client.get(f"/containers/{cid}/logs", query={"stderr": "1"})
    assert list(split_frames(only_err.body)) == [(2, b"two\n")]
    stamped = api.client.get(f"/containers/{cid}/logs", query={"stdout": "1", "timestamps": "1"})
    first = next(split_frames(stamped.body))[1].decode()
    assert first.endswith("Z one\n") and first[:4].isdigit()
    assert api.client.get(f"/containers/{cid}/logs", query={"tail": "x", "stdout": "1"}).status == 400
    none = api.client.get(f"/containers/{cid}/logs")
    assert none.status == 400 and "choose at least one stream" in none.json()["message"]
    old = api.client.get(f"/v1.41/containers/{cid}/logs", query={"stdout": "1"})
    assert old.headers.get("Content-Type") == RAW_STREAM  # dockerd names the framing from 1.42

    tty = create(api, ["echo", "raw"], Tty=True)
    api.client.post(f"/containers/{tty}/start")
    api.client.post(f"/containers/{tty}/wait")
    assert api.client.get(f"/containers/{tty}/logs", query={"stdout": "1"}).body == b"raw\r\n"


def test_logs_follow_ends_when_the_container_stops(container_api: ContainerApi) -> None:
    api = container_api
    cid = create(api, ["sh", "-c", "echo a; while [ ! -f /tmp/go ]; do sleep 0.02; done; echo b"])
    api.client.post(f"/containers/{cid}/start")
    with api.client.stream("GET", f"/containers/{cid}/logs", query={"stdout": "1", "follow": "1"}) as s:
        assert s.status == 200
        # A line ends at the payload's newline (which line() drops): one frame per line.
        assert s.line() == frame(STDOUT, b"a\n")[:-1]
        exec_id = api.client.post(f"/containers/{cid}/exec", json={"Cmd": ["touch", "/tmp/go"]}).json()["Id"]
        assert api.client.post(f"/exec/{exec_id}/start", json={"Detach": True}).status == 200
        assert s.line() == frame(STDOUT, b"b\n")[:-1]
        assert s.line() is None  # the end of the stream: the container stopped


def _exec(api: ContainerApi, cid: str, cmd: list[str], **config: Any) -> str:
    body = {"AttachStdout": True, "AttachStderr": True, "Cmd": cmd, **config}
    r = api.client.post(f"/containers/{cid}/exec", json=body)
    assert r.status == 201
    return r.json()["Id"]


def test_exec_sets_the_exit_code_before_the_stream_closes(container_api: ContainerApi) -> None:
    api = container_api
    cid = create(api, ["sleep", "60"])
    api.client.post(f"/containers/{cid}/start")
    for i in range(5):
        exec_id = _exec(api, cid, ["sh", "-c", f"echo out{i}; echo err{i} >&2; exit {i}"])
        w = Wire(api.socket)
        try:
            status, headers = w.send("POST", f"/exec/{exec_id}/start", {"Detach": False, "Tty": False},
                                     upgrade=True)
            assert status == 101 and headers["content-type"] == MULTIPLEXED
            output = w.rest()
        finally:
            w.close()
        assert by_stream(output) == {1: f"out{i}\n".encode(), 2: f"err{i}\n".encode()}
        doc = api.client.get(f"/exec/{exec_id}/json").json()  # read once, as the CLI does
        assert (doc["Running"], doc["ExitCode"]) == (False, i)
    again = api.client.post(f"/exec/{exec_id}/start", json={"Detach": False})
    assert again.status == 409


def test_exec_with_stdin_and_with_a_tty(container_api: ContainerApi) -> None:
    api = container_api
    cid = create(api, ["sleep", "60"])
    api.client.post(f"/containers/{cid}/start")
    exec_id = _exec(api, cid, ["wc", "-c"], AttachStdin=True)
    w = Wire(api.socket)
    try:
        assert w.send("POST", f"/exec/{exec_id}/start", {}, upgrade=True)[0] == 101
        w.sock.sendall(b"12345")
        w.sock.shutdown(socket.SHUT_WR)
        assert by_stream(w.rest())[1].strip() == b"5"
    finally:
        w.close()
    tty_id = _exec(api, cid, ["sh", "-c", "[ -t 1 ] && echo tty"], Tty=True)
    w = Wire(api.socket)
    try:
        status, headers = w.send("POST", f"/exec/{tty_id}/start", {"Tty": True}, upgrade=True)
        assert status == 101 and headers["content-type"] == RAW_STREAM
        assert w.rest() == b"tty\r\n"
    finally:
        w.close()


def test_exec_errors(container_api: ContainerApi) -> None:
    api = container_api
    cid = create(api, ["sleep", "60"])
    assert api.client.post(f"/containers/{cid}/exec", json={"Cmd": ["ls"]}).status == 409  # not running
    api.client.post(f"/containers/{cid}/start")
    assert api.client.post(f"/containers/{cid}/exec", json={"Cmd": "ls"}).status == 400
    assert api.client.post(f"/containers/{cid}/exec", json={}).status == 400
    assert api.client.get("/exec/nope/json").status == 404
    assert api.client.post("/exec/nope/start", json={}).status == 404
    exec_id = _exec(api, cid, ["ls"])
    assert api.client.post(f"/exec/{exec_id}/start", json={"Detach": "yes"}).status == 400
    missing = _exec(api, cid, ["no-such-command"])
    w = Wire(api.socket)
    try:
        assert w.send("POST", f"/exec/{missing}/start", {}, upgrade=True)[0] == 101
        said = by_stream(w.rest())[1]
    finally:
        w.close()
    assert b"no-such-command" in said  # the reason, inside the stream as dockerd sends it
    assert api.client.get(f"/exec/{missing}/json").json()["ExitCode"] in (126, 127)


def test_stats_one_shot_and_stream(container_api: ContainerApi) -> None:
    api = container_api
    cid = create(api, ["sleep", "60"], "measured")
    api.client.post(f"/containers/{cid}/start")
    one = api.client.get(f"/containers/{cid[:12]}/stats", query={"stream": "0", "one-shot": "1"}).json()
    assert one["id"] == cid and one["name"] == "/measured" and one["pids_stats"]["current"] >= 1
    with api.client.stream("GET", f"/containers/{cid}/stats") as s:
        first, second = s.json_line(), s.json_line()
    assert first["id"] == second["id"] == cid
    assert second["precpu_stats"] == first["cpu_stats"]


def test_export_is_the_whole_filesystem(container_api: ContainerApi) -> None:
    api = container_api
    cid = create(api, ["true"])
    r = api.client.get(f"/containers/{cid}/export")
    assert r.status == 200 and r.headers.get("Content-Type") == "application/x-tar"
    with tarfile.open(fileobj=io.BytesIO(r.body)) as tar:
        assert "bin/busybox" in tar.getnames()


def test_archive_head_get_put(container_api: ContainerApi) -> None:
    api = container_api
    cid = create(api, ["sleep", "60"])
    api.client.post(f"/containers/{cid}/start")
    head = api.client.head(f"/containers/{cid}/archive", query={"path": "/etc/hostname"})
    assert head.status == 200
    stat = json.loads(base64.b64decode(head.headers.get("X-Docker-Container-Path-Stat") or ""))
    assert stat["name"] == "hostname" and stat["size"] > 0

    data = io.BytesIO()
    with tarfile.open(fileobj=data, mode="w") as tar:
        info = tarfile.TarInfo("greeting.txt")
        info.size = 6
        tar.addfile(info, io.BytesIO(b"hello\n"))
    put = api.client.put(f"/containers/{cid}/archive", query={"path": "/tmp"}, body=data.getvalue(),
                         chunked=True)
    assert put.status == 200
    got = api.client.get(f"/containers/{cid}/archive", query={"path": "/tmp/greeting.txt"})
    assert got.status == 200 and got.headers.get("X-Docker-Container-Path-Stat")
    with tarfile.open(fileobj=io.BytesIO(got.body)) as tar:
        member = tar.extractfile("greeting.txt")
        assert member is not None and member.read() == b"hello\n"

    assert api.client.head(f"/containers/{cid}/archive", query={"path": "/no/such"}).status == 404
    assert api.client.get(f"/containers/{cid}/archive").status == 400  # no path
    garbage = api.client.put(f"/containers/{cid}/archive", query={"path": "/tmp"}, body=b"not a tar" * 100)
    assert garbage.status == 400


def test_the_pictures_namespaces_and_cgroup(container_api: ContainerApi) -> None:
    api = container_api
    cid = create(api, ["sh", "-c", "sleep 60"], "pic", HostConfig={"Memory": 64 << 20})
    assert api.client.get("/sandbox/containers/pic/namespaces").status == 409  # not running
    api.client.post(f"/containers/{cid}/start")
    ns = api.client.get("/sandbox/containers/pic/namespaces").json()
    assert ns["container"]["pid"] != ns["host"]["pid"] and "pid" not in ns["shared"]
    init = [p for p in ns["processes"] if p["container_pid"] == 1]
    assert len(init) == 1 and init[0]["pid"] == api.client.get("/containers/pic/json").json()["State"]["Pid"]
    cg = api.client.get("/sandbox/containers/pic/cgroup").json()
    assert cg["stats"]["memory_limit"] == 64 << 20 and cg["frozen"] is False
    assert all(api.unique in path for path in cg["paths"].values())
    assert api.client.get("/sandbox/containers/nope/cgroup").status == 404


def test_a_slow_client_reads_the_101_alone(container_api: ContainerApi) -> None:
    """The docker SDK loses stream bytes that arrive with the 101 in one read: output
    waits until the client has read the 101, however long it takes."""
    api = container_api
    cid = create(api, ["sleep", "60"])
    api.client.post(f"/containers/{cid}/start")
    exec_id = _exec(api, cid, ["echo", "after the 101"])
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(30)
        s.connect(str(api.socket))
        s.sendall(f"POST /exec/{exec_id}/start HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n"
                  "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}".encode())
        # A client busy elsewhere, for longer than the server's pause after the 101 (this
        # sleep is the slowness under test, not a wait for something to happen).
        time.sleep(0.3)
        first = s.recv(65536)
        assert first.startswith(b"HTTP/1.1 101 ") and first.endswith(b"\r\n\r\n")
        rest = b""
        while chunk := s.recv(65536):
            rest += chunk
    assert by_stream(rest) == {1: b"after the 101\n"}
