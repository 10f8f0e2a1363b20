"""``--pid host``, ``--pid container:X`` and ``docker cp`` through volumes and binds, with
the real docker CLI and the docker SDK against a real engine process (root only)."""

from __future__ import annotations

import io
import os
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import wait_until

from .conftest import Engine
from .test_acceptance_cli import DOCKER, docker, inspect

pytestmark = pytest.mark.root
needs_cli = pytest.mark.skipif(DOCKER is None, reason="the docker CLI is not installed")


def _ns(pid: int, kind: str) -> str:
    return os.readlink(f"/proc/{pid}/ns/{kind}")


@needs_cli
def test_cli_pid_host_and_pid_container(engine: Engine) -> None:
    docker(engine, "run", "-d", "--name", "hp", "--pid", "host", "busybox", "sleep", "300")
    info = inspect(engine, "hp")
    assert info["HostConfig"]["PidMode"] == "host"  # type: ignore[index]
    pid = info["State"]["Pid"]  # type: ignore[index]
    assert _ns(pid, "pid") == _ns(os.getpid(), "pid") and _ns(pid, "uts") != _ns(os.getpid(), "uts")
    # Its /proc is the host's: this test's own process is listed there.
    assert docker(engine, "exec", "hp", "test", "-d", f"/proc/{os.getpid()}", check=False).returncode == 0
    docker(engine, "run", "-d", "--name", "first", "busybox", "sleep", "300")
    # `run -d` returns once the start is done, which may be mid-execve (an empty cmdline).
    first = inspect(engine, "first")["State"]["Pid"]  # type: ignore[index]
    assert wait_until(lambda: Path(f"/proc/{first}/cmdline").read_bytes().startswith(b"sleep"))
    out = docker(engine, "run", "--rm", "--pid", "container:first", "busybox", "cat", "/proc/1/cmdline").stdout
    assert out.startswith("sleep")
    docker(engine, "create", "--name", "asleep", "busybox", "sleep", "300")
    docker(engine, "create", "--name", "joiner", "--pid", "container:asleep", "busybox", "true")
    refused = docker(engine, "start", "joiner", check=False)
    assert refused.returncode != 0 and "cannot join PID of a non running container: asleep" in refused.stderr


@needs_cli
def test_cli_cp_through_a_volume_of_a_stopped_and_a_running_container(engine: Engine, tmp_path: Path) -> None:
    docker(engine, "volume", "create", "notes")
    docker(engine, "run", "--name", "writer", "-v", "notes:/data", "busybox", "sh", "-c", "echo kept > /data/note.txt")
    docker(engine, "cp", "writer:/data/note.txt", str(tmp_path / "note.txt"))
    assert (tmp_path / "note.txt").read_text() == "kept\n"
    docker(engine, "cp", "writer:/data", str(tmp_path / "whole"))
    assert (tmp_path / "whole" / "note.txt").read_text() == "kept\n"
    (tmp_path / "local.txt").write_text("from the host\n")
    docker(engine, "cp", str(tmp_path / "local.txt"), "writer:/data/")
    docker(engine, "run", "-d", "--name", "up", "-v", "notes:/data", "busybox", "sleep", "300")
    assert docker(engine, "exec", "up", "cat", "/data/local.txt").stdout == "from the host\n"
    docker(engine, "exec", "up", "sh", "-c", "echo live > /data/live.txt")
    docker(engine, "cp", "up:/data/live.txt", str(tmp_path / "live.txt"))
    assert (tmp_path / "live.txt").read_text() == "live\n"
    docker(engine, "create", "--name", "ro", "-v", "notes:/data:ro", "busybox", "true")
    refused = docker(engine, "cp", str(tmp_path / "local.txt"), "ro:/data/", check=False)
    assert refused.returncode != 0 and "mounted volume is marked read-only" in refused.stderr


# -- the SDK ---------------------------------------------------------------------------------------

sdk = pytest.importorskip("docker")


@pytest.fixture
def client(engine: Engine) -> Iterator[Any]:
    c = sdk.DockerClient(base_url=engine.daemon.docker_host, timeout=60)
    try:
        yield c
    finally:
        c.close()


def test_sdk_pid_modes(client: Any) -> None:
    c = client.containers.run("busybox", ["sleep", "300"], detach=True, name="sdk-hp", pid_mode="host")
    c.reload()
    assert c.attrs["HostConfig"]["PidMode"] == "host"
    assert _ns(c.attrs["State"]["Pid"], "pid") == _ns(os.getpid(), "pid")
    # Joining a container that shares the host's namespace is joining the host's.
    probe = f"test -d /proc/{os.getpid()} && echo seen"
    assert client.containers.run("busybox", ["sh", "-c", probe], remove=True,
                                 pid_mode="container:sdk-hp") == b"seen\n"
    with pytest.raises(sdk.errors.APIError, match="invalid --pid: bogus"):
        client.containers.create("busybox", ["true"], pid_mode="bogus")


def test_sdk_archive_through_a_volume_of_a_stopped_container(client: Any, tmp_path: Path) -> None:
    client.volumes.create("sdk-notes")
    site = tmp_path / "site"
    site.mkdir()
    c = client.containers.run("busybox", ["sh", "-c", "echo kept > /data/note.txt"], detach=True, name="sdk-w",
                              volumes={"sdk-notes": {"bind": "/data", "mode": "rw"},
                                       str(site): {"bind": "/site", "mode": "rw"}})
    assert c.wait(timeout=30)["StatusCode"] == 0
    chunks, stat = c.get_archive("/data/note.txt")
    assert stat["name"] == "note.txt" and stat["size"] == 5
    with tarfile.open(fileobj=io.BytesIO(b"".join(chunks))) as t:
        assert t.extractfile("note.txt").read() == b"kept\n"  # type: ignore[union-attr]
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        info = tarfile.TarInfo("index.html")
        info.size = 3
        t.addfile(info, io.BytesIO(b"hi\n"))
    assert c.put_archive("/site", buf.getvalue())
    assert (site / "index.html").read_text() == "hi\n"
