"""The daemon process: start, refuse a twin, survive garbage, stop cleanly, up/down/env."""

from __future__ import annotations

import grp
import os
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox.config import Settings
from sandbox.engine import daemon as daemon_mod
from sandbox.engine.daemon import DaemonPaths, ensure_group, main, ping, secure_socket
from sandbox.errors import DaemonError

from .conftest import Daemon, start_daemon


def test_paths_follow_the_socket(tmp_path: Path) -> None:
    settings = Settings(root=tmp_path / "root", run_dir=tmp_path / "run")
    default = DaemonPaths.resolve(settings, None)
    assert default.socket == tmp_path / "run" / "engine.sock"
    assert (default.pid.name, default.log.name) == ("engine.pid", "engine.log")
    custom = DaemonPaths.resolve(settings, str(tmp_path / "x" / "my.sock"))
    assert custom.pid == tmp_path / "x" / "my.pid"


def test_env_prints_docker_host(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("SANDBOX_RUN", str(tmp_path / "run"))
    assert main(["env"]) == 0
    assert capsys.readouterr().out == f"export DOCKER_HOST=unix://{tmp_path}/run/engine.sock\n"
    assert main(["env", "--socket", "/somewhere/e.sock"]) == 0
    assert capsys.readouterr().out == "export DOCKER_HOST=unix:///somewhere/e.sock\n"


def test_serves_then_stops_on_sigterm(daemon: Daemon) -> None:
    assert ping(daemon.socket)
    pid_file = daemon.socket.with_suffix(".pid")
    assert int(pid_file.read_text()) == daemon.proc.pid
    assert daemon.stop(signal.SIGTERM) == 0
    assert not daemon.socket.exists() and not pid_file.exists()
    assert "engine stopped" in daemon.log_text()


def test_sigint_also_stops_it_cleanly(daemon: Daemon) -> None:
    assert daemon.stop(signal.SIGINT) == 0


def test_sigterm_ends_open_event_streams(daemon: Daemon) -> None:
    with socket.socket(socket.AF_UNIX) as s:
        s.connect(str(daemon.socket))
        s.sendall(b"GET /v1.41/events HTTP/1.1\r\nHost: x\r\n\r\n")
        s.settimeout(20)
        assert s.recv(4096).startswith(b"HTTP/1.1 200 OK")
        daemon.proc.send_signal(signal.SIGTERM)
        rest = b""
        while chunk := s.recv(4096):
            rest += chunk
    assert rest.endswith(b"0\r\n\r\n")  # the chunked stream was ended properly
    assert daemon.proc.wait(20) == 0


def test_a_second_daemon_on_the_same_socket_refuses(daemon: Daemon, tmp_path: Path) -> None:
    twin = start_daemon(tmp_path, daemon.root, socket_path=daemon.socket, wait=False, name="twin")
    assert twin.proc.wait(30) == 1
    assert "already running" in twin.log_text()
    assert ping(daemon.socket), "the first daemon must go on serving"


def test_a_stale_socket_is_removed(tmp_path: Path, store_root: Path) -> None:
    sock = tmp_path / "run" / "engine.sock"
    sock.parent.mkdir()
    with socket.socket(socket.AF_UNIX) as s:
        s.bind(str(sock))  # bound and closed: a file nobody listens on, as after kill -9
    d = start_daemon(tmp_path, store_root)
    try:
        assert ping(d.socket) and "stale socket" in d.log_text()
    finally:
        d.stop()


def test_a_foreign_listener_is_not_stolen(tmp_path: Path, store_root: Path) -> None:
    sock = tmp_path / "run" / "engine.sock"
    sock.parent.mkdir()
    with socket.socket(socket.AF_UNIX) as s:
        s.bind(str(sock))
        s.listen()
        d = start_daemon(tmp_path, store_root, wait=False)
        assert d.proc.wait(30) == 1
        assert sock.exists(), "the other program's socket must be left alone"
    assert "something is already listening" in d.log_text()


def test_garbage_does_not_stop_it(daemon: Daemon) -> None:
    chunked = b"POST /images/create HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"
    for junk in (b"\x00\xff" * 50, b"GET / HTTP/1.1\r\nBad\r\n\r\n", chunked):
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(20)
            s.connect(str(daemon.socket))
            s.sendall(junk)
            s.shutdown(socket.SHUT_WR)
            assert s.recv(64).startswith(b"HTTP/1.1 4")
    assert ping(daemon.socket) and daemon.proc.poll() is None


def test_bad_state_root_is_a_clear_error(tmp_path: Path) -> None:
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("")
    d = start_daemon(tmp_path, not_a_dir, wait=False)
    assert d.proc.wait(30) == 1
    assert "cannot use the state root" in d.log_text()


# -- the socket's group and mode --------------------------------------------------------------


@pytest.mark.root
def test_socket_mode_with_an_existing_group(daemon: Daemon) -> None:
    st = daemon.socket.stat()
    assert stat.S_ISSOCK(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o660 and st.st_gid == 0


def test_socket_stays_private_when_the_group_cannot_be_made(tmp_path: Path, unique: str,
                                                            caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "s.sock"
    with socket.socket(socket.AF_UNIX) as s:
        s.bind(str(path))
        assert secure_socket(path, unique, groupadd=["false"]) == 0o600
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert f"cannot create group {unique}" in caplog.text


def test_ensure_group_uses_an_existing_group_without_groupadd() -> None:
    assert ensure_group("root", groupadd=["false"]) == 0


def test_an_unwritable_run_dir_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("SANDBOX_ROOT", str(tmp_path / "root"))
    with pytest.raises(DaemonError, match="cannot create"):
        main(["engine", "--socket", str(blocker / "run" / "engine.sock")])


@pytest.fixture
def scratch_group(unique: str) -> Iterator[str]:
    yield unique
    subprocess.run(["groupdel", unique], check=False, capture_output=True)


@pytest.mark.root
def test_group_is_made_and_outsiders_are_refused(scratch_group: str, store_root: Path, tmp_path: Path) -> None:
    # A socket directory others may enter, so only the socket's own mode decides.
    run = Path(tempfile.mkdtemp(prefix="sbx-engine-"))
    os.chmod(run, 0o755)
    d = start_daemon(tmp_path, store_root, group=scratch_group, socket_path=run / "engine.sock")
    try:
        gid = grp.getgrnam(scratch_group).gr_gid
        st = d.socket.stat()
        assert st.st_gid == gid and stat.S_IMODE(st.st_mode) == 0o660
        code = "import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); print('connected')"
        probe = [sys.executable, "-c", code, str(d.socket)]
        outsider = subprocess.run(probe, check=False, user=65534, group=65534, extra_groups=[], capture_output=True,
                                  text=True, timeout=30)
        assert outsider.returncode != 0 and "Permission denied" in outsider.stderr
        member = subprocess.run(probe, check=False, user=65534, group=65534, extra_groups=[gid], capture_output=True,
                                text=True, timeout=30)
        assert member.stdout.strip() == "connected", member.stderr
    finally:
        d.stop()
        for p in run.iterdir():
            p.unlink()
        run.rmdir()


# -- up and down ------------------------------------------------------------------------------


@pytest.fixture
def control(tmp_path: Path, store_root: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[DaemonPaths]:
    """``sandbox up``/``down`` against a run dir in tmp_path; whatever up started is killed
    at the end, even if the test failed."""
    monkeypatch.setenv("SANDBOX_ROOT", str(store_root))
    monkeypatch.setenv("SANDBOX_RUN", str(tmp_path / "run"))
    monkeypatch.setenv("SANDBOX_STORAGE_DRIVER", "copy")
    paths = DaemonPaths(tmp_path / "run" / "engine.sock")
    yield paths
    pid = daemon_mod._pid_of(paths)
    if pid is not None and daemon_mod._lock_held(paths):
        os.kill(pid, signal.SIGKILL)


def test_up_down(control: DaemonPaths, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["up", "--group", "root"]) == 0
    assert "is running" in capsys.readouterr().out and ping(control.socket)
    assert main(["up", "--group", "root"]) == 0
    assert "already running" in capsys.readouterr().out
    assert main(["down"]) == 0
    assert "has stopped" in capsys.readouterr().out and not ping(control.socket)
    assert main(["down"]) == 0
    assert "not running" in capsys.readouterr().out
    assert "listening on" in control.log.read_text()


def test_up_shows_the_log_when_the_engine_cannot_start(control: DaemonPaths, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    bad_root = tmp_path / "a-file"
    bad_root.write_text("")
    monkeypatch.setenv("SANDBOX_ROOT", str(bad_root))
    with pytest.raises(DaemonError) as e:
        main(["up", "--timeout", "60"])
    assert "exited with status 1" in e.value.message and "cannot use the state root" in e.value.message


def test_down_ignores_a_stale_pid_file(control: DaemonPaths, capsys: pytest.CaptureFixture[str]) -> None:
    control.pid.parent.mkdir(parents=True)
    control.pid.write_text(f"{os.getpid()}\n")  # a live pid, but nobody holds the lock
    assert main(["down"]) == 0
    assert "not running" in capsys.readouterr().out


def test_state_survives_a_restart(tmp_path: Path, store_root: Path) -> None:
    docker = pytest.importorskip("docker")
    d = start_daemon(tmp_path, store_root)
    try:
        client = docker.DockerClient(base_url=d.docker_host)
        client.images.get("busybox").tag("kept", "v1")
        client.close()
    finally:
        assert d.stop() == 0
    d = start_daemon(tmp_path, store_root, name="again")
    try:
        client = docker.DockerClient(base_url=d.docker_host)
        assert "kept:v1" in client.images.get("busybox").tags
        events = list(client.events(since=0, until=int(time.time()) + 1, decode=True))
        assert any(e["Action"] == "tag" and e["Actor"]["Attributes"]["name"] == "kept:v1" for e in events)
        client.close()
    finally:
        d.stop()
