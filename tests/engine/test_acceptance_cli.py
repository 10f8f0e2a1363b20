"""Issue 3's acceptance list, run with the real docker CLI against a real engine process:
each command a learner types, with its output checked."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import tarfile
import time
from pathlib import Path

import pytest

from .conftest import Engine, wait_for

DOCKER = shutil.which("docker")
pytestmark = [pytest.mark.root, pytest.mark.skipif(DOCKER is None, reason="the docker CLI is not installed")]


def docker_env(e: Engine) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
    env.update(DOCKER_HOST=e.daemon.docker_host, DOCKER_CONFIG=str(e.run_dir / "docker-config"),
               DOCKER_BUILDKIT="0")
    return env


def docker(e: Engine, *args: str, check: bool = True, stdin: str | None = None,
           timeout: float = 60) -> subprocess.CompletedProcess[str]:
    assert DOCKER is not None
    proc = subprocess.run([DOCKER, *args], check=False, env=docker_env(e), capture_output=True, text=True,
                          input=stdin, timeout=timeout)
    if check:
        assert proc.returncode == 0, f"docker {' '.join(args)} failed:\n{proc.stderr}\n{e.daemon.log_text()[-3000:]}"
    return proc


def inspect(e: Engine, name: str) -> dict[str, object]:
    doc = json.loads(docker(e, "inspect", name).stdout)
    assert len(doc) == 1
    return doc[0]


def state(e: Engine, name: str) -> str:
    return docker(e, "inspect", "-f", "{{.State.Status}}", name).stdout.strip()


def test_version_and_info(engine: Engine) -> None:
    out = docker(engine, "version").stdout
    assert "Server: sandbox engine" in out and "API version:       1.47 (downgraded from 1.50)" in out
    docker(engine, "run", "-d", "--name", "one", "busybox", "sleep", "60")
    info = docker(engine, "info", "--format", "{{.Containers}} {{.ContainersRunning}} {{.Images}}").stdout
    assert info.split() == ["1", "1", "1"]


def test_run_rm_prints_and_propagates_the_exit_code(engine: Engine) -> None:
    run = docker(engine, "run", "--rm", "busybox", "echo", "hi")
    assert run.stdout == "hi\n" and run.stderr == ""
    failed = docker(engine, "run", "--rm", "busybox", "sh", "-c", "echo oops >&2; exit 3", check=False)
    assert failed.returncode == 3 and failed.stderr == "oops\n" and failed.stdout == ""
    assert docker(engine, "ps", "-aq").stdout == ""  # --rm removed both


def test_run_with_stdin(engine: Engine) -> None:
    out = docker(engine, "run", "--rm", "-i", "busybox", "tr", "a-z", "A-Z", stdin="shout\n").stdout
    assert out == "SHOUT\n"


def test_run_d_ps_logs_follow_exec(engine: Engine) -> None:
    cid = docker(engine, "run", "-d", "--name", "ticker", "busybox", "sh", "-c",
                 "for i in 1 2 3; do echo tick $i; sleep 0.2; done; echo done >&2").stdout.strip()
    assert len(cid) == 64
    rows = docker(engine, "ps", "-a", "--format", "{{.ID}} {{.Names}} {{.Image}}").stdout.split("\n")
    assert rows[0] == f"{cid[:12]} ticker busybox"
    follow = docker(engine, "logs", "-f", "ticker")  # ends when the container stops
    assert follow.stdout == "tick 1\ntick 2\ntick 3\n" and follow.stderr == "done\n"
    assert state(engine, "ticker") == "exited"
    tail = docker(engine, "logs", "--tail", "2", "ticker")  # the last two lines of both streams
    assert (tail.stdout, tail.stderr) == ("tick 3\n", "done\n")
    stamped = docker(engine, "logs", "-t", "ticker").stdout.splitlines()
    assert len(stamped) == 3 and stamped[0].endswith("Z tick 1") and stamped[0][:4].isdigit()

    docker(engine, "run", "-d", "--name", "svc", "busybox", "sleep", "60")
    assert docker(engine, "exec", "svc", "cat", "/etc/hostname").stdout.strip() == cid_prefix(engine, "svc")
    code = docker(engine, "exec", "svc", "sh", "-c", "echo out; echo err >&2; exit 4", check=False)
    assert (code.returncode, code.stdout, code.stderr) == (4, "out\n", "err\n")
    assert docker(engine, "exec", "-i", "svc", "wc", "-c", stdin="12345").stdout.strip() == "5"
    missing = docker(engine, "exec", "svc", "nonexistent-cmd", check=False)
    assert missing.returncode in (126, 127) and "nonexistent-cmd" in missing.stdout + missing.stderr


def cid_prefix(e: Engine, name: str) -> str:
    return docker(e, "inspect", "-f", "{{.Id}}", name).stdout.strip()[:12]


def test_exec_it_under_a_pty(engine: Engine) -> None:
    docker(engine, "run", "-d", "--name", "box", "busybox", "sleep", "60")
    env = docker_env(engine)
    # `script` gives the CLI a real terminal; -e passes the exit code through.
    proc = subprocess.run(["script", "-eqc", f"{DOCKER} exec -it box sh -c '[ -t 0 ] && echo on-a-tty; stty size; exit 6'", "/dev/null"],
                          check=False, env=env, capture_output=True, text=True, timeout=60,
                          stdin=subprocess.DEVNULL)
    assert proc.returncode == 6, proc.stdout + proc.stderr
    # The CLI sends one stray NUL down an `exec -it` session's input (moby/moby#53701, with
    # dockerd as well); the container's terminal echoes it as "^@" wherever it happens to land.
    lines = proc.stdout.replace("\r", "").replace("^@", "").splitlines()
    assert lines[0] == "on-a-tty"
    assert len(lines[1].split()) == 2  # rows and columns of the terminal it was given


def test_stop_kill_pause_unpause_restart_rm(engine: Engine) -> None:
    docker(engine, "run", "-d", "--name", "life", "busybox", "sleep", "600")
    docker(engine, "pause", "life")
    assert state(engine, "life") == "paused"
    docker(engine, "unpause", "life")
    assert state(engine, "life") == "running"
    first_pid = inspect(engine, "life")["State"]["Pid"]  # type: ignore[index]
    docker(engine, "restart", "-t", "1", "life")
    assert state(engine, "life") == "running"
    assert inspect(engine, "life")["State"]["Pid"] != first_pid  # type: ignore[index]
    docker(engine, "stop", "-t", "1", "life")
    assert state(engine, "life") == "exited"
    docker(engine, "stop", "life")  # already stopped: the engine's 304 is success to the CLI
    docker(engine, "start", "life")
    docker(engine, "kill", "life")
    assert docker(engine, "wait", "life").stdout.strip() == "137"
    docker(engine, "start", "life")
    docker(engine, "rm", "-f", "life")
    assert docker(engine, "ps", "-aq").stdout == ""


def test_inspect_top_stats_update_rename(engine: Engine) -> None:
    docker(engine, "run", "-d", "--name", "watched", "busybox", "sh", "-c", "sleep 600")
    doc = inspect(engine, "watched")
    assert doc["Name"] == "/watched" and doc["Config"]["Cmd"] == ["sh", "-c", "sleep 600"]  # type: ignore[index]
    top = docker(engine, "top", "watched").stdout.splitlines()
    assert top[0].split()[:3] == ["UID", "PID", "PPID"] and any("sleep 600" in row for row in top[1:])
    stats = docker(engine, "stats", "--no-stream", "--format", "{{.Name}} {{.PIDs}}").stdout.split()
    assert stats[0] == "watched" and int(stats[1]) >= 1
    docker(engine, "update", "-m", "64m", "watched")
    assert inspect(engine, "watched")["HostConfig"]["Memory"] == 64 << 20  # type: ignore[index]
    limit = docker(engine, "stats", "--no-stream", "--format", "{{.MemUsage}}", "watched").stdout
    assert limit.strip().endswith("/ 64MiB")
    docker(engine, "rename", "watched", "renamed")
    assert docker(engine, "ps", "--format", "{{.Names}}").stdout == "renamed\n"


def test_cp_both_ways_diff_export(engine: Engine, tmp_path: Path) -> None:
    docker(engine, "run", "-d", "--name", "files", "busybox", "sleep", "600")
    src = tmp_path / "note.txt"
    src.write_text("from the host\n")
    docker(engine, "cp", str(src), "files:/tmp/")
    assert docker(engine, "exec", "files", "cat", "/tmp/note.txt").stdout == "from the host\n"
    docker(engine, "exec", "files", "sh", "-c", "mkdir /data && echo inside > /data/x && rm /bin/vi")
    docker(engine, "cp", "files:/data", str(tmp_path / "out"))
    assert (tmp_path / "out" / "x").read_text() == "inside\n"
    diff = set(docker(engine, "diff", "files").stdout.splitlines())
    assert {"A /data", "A /data/x", "C /tmp", "A /tmp/note.txt", "D /bin/vi"} <= diff
    tar = subprocess.run([DOCKER or "docker", "export", "files"], env=docker_env(engine), capture_output=True,
                         check=True, timeout=60).stdout
    with tarfile.open(fileobj=io.BytesIO(tar)) as archive:
        names = archive.getnames()
    assert "data/x" in names and "bin/busybox" in names and "bin/vi" not in names


def test_wait_and_events_since_until(engine: Engine) -> None:
    since = int(time.time()) - 1
    docker(engine, "run", "-d", "--name", "short", "busybox", "sh", "-c", "sleep 0.3; exit 2")
    assert docker(engine, "wait", "short").stdout.strip() == "2"
    until = int(time.time()) + 1
    out = docker(engine, "events", "--since", str(since), "--until", str(until), "--filter", "container=short",
                 "--format", "{{.Action}}").stdout.split()
    assert out[:1] == ["create"] and "start" in out and "die" in out
    assert out.index("create") < out.index("start") < out.index("die")


def test_images_tag_rmi_history(engine: Engine) -> None:
    assert docker(engine, "images", "--format", "{{.Repository}}:{{.Tag}}").stdout == "busybox:latest\n"
    docker(engine, "tag", "busybox", "learner/box:1")
    tags = set(docker(engine, "images", "--format", "{{.Repository}}:{{.Tag}}").stdout.split())
    assert tags == {"busybox:latest", "learner/box:1"}
    history = docker(engine, "history", "busybox").stdout.splitlines()
    assert history[0].split()[0] == "IMAGE" and len(history) >= 2
    docker(engine, "create", "--name", "user", "busybox", "true")
    docker(engine, "rmi", "learner/box:1")  # only untags: busybox:latest still names it
    refused = docker(engine, "rmi", "busybox", check=False)
    assert refused.returncode == 1 and "conflict" in refused.stderr
    assert cid_prefix(engine, "user") in refused.stderr  # it names the container in the way
    docker(engine, "rm", "user")
    assert docker(engine, "rmi", "busybox").stdout.startswith("Untagged: busybox:latest")


def test_logs_follow_of_a_running_container_sees_new_lines(engine: Engine) -> None:
    docker(engine, "run", "-d", "--name", "slow", "busybox", "sh", "-c",
           "echo first; while [ ! -f /go ]; do sleep 0.05; done; echo second")
    wait_for(lambda: docker(engine, "logs", "slow").stdout == "first\n", what="the first line")
    follower = subprocess.Popen([DOCKER or "docker", "logs", "-f", "slow"], env=docker_env(engine),
                                stdout=subprocess.PIPE, text=True)
    try:
        assert follower.stdout is not None
        assert follower.stdout.readline() == "first\n"
        # Detached: the container ends as soon as it sees /go, and when that is before `touch`
        # has exited (a slow or busy CPU), the end of its pid namespace kills it (137).
        docker(engine, "exec", "-d", "slow", "touch", "/go")
        assert follower.stdout.readline() == "second\n"
        assert follower.wait(30) == 0  # the container ended, and so did the follow
    finally:
        if follower.poll() is None:
            follower.kill()
            follower.wait()


def test_run_it_under_a_pty_and_attach(engine: Engine) -> None:
    env = docker_env(engine)
    typed = "echo typed-$((6*7))\nexit 9\n"
    proc = subprocess.run(["script", "-eqc", f"{DOCKER} run --rm -it busybox sh", "/dev/null"], input=typed,
                          check=False, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 9, proc.stdout + proc.stderr
    assert "typed-42" in proc.stdout.replace("\r", "").splitlines()
    docker(engine, "run", "-d", "--name", "late", "busybox", "sh", "-c",
           "while [ ! -f /tmp/go ]; do sleep 0.02; done; echo attached-out; exit 2")
    attach = subprocess.Popen([DOCKER or "docker", "attach", "late"], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        # The attachment is in place once the engine has logged its event.
        wait_for(lambda: "attach" in docker(engine, "events", "--since", "0", "--until", str(int(time.time()) + 1),
                                            "--filter", "container=late", "--format", "{{.Action}}").stdout,
                 what="the attach event")
        # Detached, for the same race as in the logs -f test above: `touch` may still be
        # alive when the container sees the file and ends, and its pid namespace goes with it.
        docker(engine, "exec", "-d", "late", "touch", "/tmp/go")
        out, _ = attach.communicate(timeout=30)
    finally:
        if attach.poll() is None:
            attach.kill()
            attach.wait()
    assert (attach.returncode, out) == (2, "attached-out\n")
