"""Who may use the engine's socket: root and group `sandbox`, nobody else."""

from __future__ import annotations

import grp
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox.engine.daemon import SOCKET_GROUP

from .conftest import Daemon, short_dir, start_daemon

pytestmark = pytest.mark.root

SETPRIV = shutil.which("setpriv")
CONNECT = ("import socket, sys\n"
           "s = socket.socket(socket.AF_UNIX)\n"
           "try:\n"
           "    s.connect(sys.argv[1])\n"
           "except OSError as e:\n"
           "    print(e.strerror); sys.exit(1)\n"
           "s.sendall(b'GET /_ping HTTP/1.0\\r\\n\\r\\n')\n"
           "print(s.recv(4096).split(b'\\r\\n')[0].decode())\n")


@pytest.fixture
def grouped_daemon(tmp_path: Path, store_root: Path) -> Iterator[Daemon]:
    """The engine as `sandbox up` runs it: the socket owned by group `sandbox`. Its
    directory is open to all, so only the socket's own mode decides."""
    if os.geteuid() != 0 or SETPRIV is None:
        pytest.skip("needs root and setpriv")
    run = short_dir("sa-")
    run.chmod(0o755)
    try:
        d = start_daemon(tmp_path, store_root, run_dir=run, group=SOCKET_GROUP)
    except BaseException:
        shutil.rmtree(run, ignore_errors=True)
        raise
    try:
        yield d
    finally:
        d.stop()
        shutil.rmtree(run, ignore_errors=True)


def _as_nobody(sock: Path, *groups: int) -> subprocess.CompletedProcess[str]:
    assert SETPRIV is not None
    group_opts = ["--groups", ",".join(map(str, groups))] if groups else ["--clear-groups"]
    return subprocess.run([SETPRIV, "--reuid", "nobody", "--regid", "nogroup", *group_opts,
                           sys.executable, "-I", "-c", CONNECT, str(sock)],
                          capture_output=True, text=True, timeout=30, check=False)


def test_the_socket_belongs_to_group_sandbox(grouped_daemon: Daemon) -> None:
    st = grouped_daemon.socket.stat()
    assert stat.S_IMODE(st.st_mode) == 0o660
    assert st.st_uid == 0 and st.st_gid == grp.getgrnam(SOCKET_GROUP).gr_gid


def test_a_user_outside_the_group_is_refused(grouped_daemon: Daemon) -> None:
    proc = _as_nobody(grouped_daemon.socket)
    assert proc.returncode == 1 and proc.stdout.strip() == "Permission denied", proc.stderr


def test_the_docker_cli_as_that_user_is_refused(grouped_daemon: Daemon, tmp_path: Path) -> None:
    docker = shutil.which("docker")
    if docker is None:
        pytest.skip("the docker CLI is not installed")
    assert SETPRIV is not None
    config = short_dir("sc-")
    config.chmod(0o777)
    try:
        proc = subprocess.run([SETPRIV, "--reuid", "nobody", "--regid", "nogroup", "--clear-groups", docker,
                               "--config", str(config), "-H", grouped_daemon.docker_host, "ps"],
                              capture_output=True, text=True, timeout=30, check=False)
    finally:
        shutil.rmtree(config, ignore_errors=True)
    assert proc.returncode == 1 and "permission denied" in proc.stderr


def test_a_member_of_the_group_gets_in(grouped_daemon: Daemon) -> None:
    proc = _as_nobody(grouped_daemon.socket, grp.getgrnam(SOCKET_GROUP).gr_gid)
    assert proc.returncode == 0 and proc.stdout.strip().endswith(" 200 OK"), proc.stdout + proc.stderr
