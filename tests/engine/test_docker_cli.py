"""The real docker CLI against the engine: what a learner types, with its output checked."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time

import pytest

from .conftest import Daemon

DOCKER = shutil.which("docker")
pytestmark = pytest.mark.skipif(DOCKER is None, reason="the docker CLI is not installed")


def docker(d: Daemon, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
    env.update(DOCKER_HOST=d.docker_host, DOCKER_CONFIG=str(d.root.parent / "docker-config"),
               DOCKER_BUILDKIT="0")
    assert DOCKER is not None
    proc = subprocess.run([DOCKER, *args], check=False, env=env, capture_output=True, text=True, timeout=60)
    if check:
        assert proc.returncode == 0, f"docker {' '.join(args)} failed:\n{proc.stderr}\n{d.log_text()}"
    return proc


def test_version(daemon: Daemon) -> None:
    out = docker(daemon, "version").stdout
    assert "Server: sandbox engine" in out
    assert "API version:      1.47 (minimum version 1.24)" in out
    assert "API version:       1.47 (downgraded from 1.50)" in out  # the client negotiated down
    fmt = docker(daemon, "version", "--format", "{{.Server.Version}} {{.Server.Os}}").stdout
    assert fmt.strip() == "0.1.0 linux"


def test_info(daemon: Daemon) -> None:
    out = docker(daemon, "info").stdout
    assert " Images: 1\n" in out and " Containers: 0\n" in out
    assert " Storage Driver: copy\n" in out and " Cgroup Driver: cgroupfs\n" in out
    assert f" Docker Root Dir: {daemon.root}\n" in out
    assert docker(daemon, "info", "--format", "{{.NCPU}}").stdout.strip() == str(os.cpu_count())


def test_images(daemon: Daemon) -> None:
    lines = docker(daemon, "images").stdout.splitlines()
    assert lines[0].split() == ["REPOSITORY", "TAG", "IMAGE", "ID", "CREATED", "SIZE"]
    assert lines[1].split()[:2] == ["busybox", "latest"] and len(lines) == 2
    ids = docker(daemon, "images", "-q").stdout.split()
    assert len(ids) == 1 and len(ids[0]) == 12


def test_tag_and_rmi(daemon: Daemon) -> None:
    docker(daemon, "tag", "busybox", "me/app:v1")
    rows = {tuple(line.split()[:2]) for line in docker(daemon, "images").stdout.splitlines()[1:]}
    assert rows == {("busybox", "latest"), ("me/app", "v1")}
    assert docker(daemon, "rmi", "me/app:v1").stdout.strip() == "Untagged: me/app:v1"
    out = docker(daemon, "rmi", "busybox").stdout.splitlines()
    assert out[0] == "Untagged: busybox:latest" and out[1].startswith("Deleted: sha256:")
    assert docker(daemon, "images", "-q").stdout.strip() == ""


def test_rmi_of_a_missing_image(daemon: Daemon) -> None:
    proc = docker(daemon, "rmi", "nope", check=False)
    assert proc.returncode == 1
    assert proc.stderr.strip() == "Error response from daemon: No such image: nope:latest"


def test_history(daemon: Daemon) -> None:
    lines = docker(daemon, "history", "busybox").stdout.splitlines()
    assert lines[0].split()[:3] == ["IMAGE", "CREATED", "CREATED"]
    assert len(lines) == 2 and "sandbox bootstrap" in lines[1]
    assert "2.14MB" in lines[1] or "MB" in lines[1]


def test_image_inspect(daemon: Daemon) -> None:
    doc = json.loads(docker(daemon, "image", "inspect", "busybox").stdout)
    assert len(doc) == 1 and doc[0]["RepoTags"] == ["busybox:latest"]
    assert doc[0]["RootFS"]["Type"] == "layers" and doc[0]["RootFS"]["Layers"][0].startswith("sha256:")
    assert docker(daemon, "image", "inspect", "-f", "{{.Config.Cmd}}", "busybox").stdout.strip() == "[sh]"
    short = doc[0]["Id"][7:19]
    assert docker(daemon, "inspect", "-f", "{{.Id}}", short).stdout.strip() == doc[0]["Id"]
    proc = docker(daemon, "image", "inspect", "nope", check=False)
    assert proc.returncode == 1 and "No such image: nope" in proc.stderr


def test_pull_of_a_stored_image(daemon: Daemon) -> None:
    out = docker(daemon, "pull", "busybox").stdout
    assert "latest: Pulling from library/busybox" in out
    assert "Status: Image is up to date for busybox:latest" in out
    # A name that is not stored goes to its registry (here one that does not answer: no
    # test may depend on Docker Hub), and the CLI shows the engine's error.
    proc = docker(daemon, "pull", "127.0.0.1:9/nope", check=False)
    assert proc.returncode == 1
    assert "Error response from daemon: cannot talk to the registry 127.0.0.1:9" in proc.stderr


def test_events_since_until(daemon: Daemon) -> None:
    start = int(time.time())
    docker(daemon, "tag", "busybox", "ev:1")
    docker(daemon, "rmi", "ev:1")
    out = docker(daemon, "events", "--since", str(start), "--until", str(int(time.time()) + 1),
                 "--format", "{{.Type}} {{.Action}} {{.Actor.Attributes.name}}").stdout.splitlines()
    assert out[0] == "image tag ev:1" and out[1].startswith("image untag ")
    filtered = docker(daemon, "events", "--since", str(start), "--until", str(int(time.time()) + 1),
                      "--filter", "event=tag", "--format", "{{.Action}}").stdout.split()
    assert filtered == ["tag"]


def test_system_df(daemon: Daemon) -> None:
    out = docker(daemon, "system", "df").stdout.splitlines()
    assert out[1].split()[:3] == ["Images", "1", "0"]
