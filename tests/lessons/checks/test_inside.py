"""Checks that look inside containers: logs, files, commands, namespaces, cgroups."""

from __future__ import annotations

from pathlib import Path

from sandbox.lessons.checks import Fail, Pass
from sandbox.lessons.checks.base import CheckContext
from sandbox.lessons.testing import FakeState
from tests.lessons.checks.helpers import check, docker, problems


def test_logs(state: FakeState, ctx: CheckContext) -> None:
    docker(state, "docker run --name hello busybox echo Hello there")
    assert isinstance(check({"logs": {"container": "hello", "contains": "Hello"}}).evaluate(ctx), Pass)
    assert isinstance(check({"logs": {"container": "hello", "matches": "^Hello \\w+$"}}).evaluate(ctx), Pass)
    assert (
        check({"logs": {"container": "hello", "contains": "bye"}}).evaluate(ctx).message
        == "the output of container hello does not contain 'bye'; it printed: 'Hello there'"
    )
    assert (
        check({"logs": {"container": "nobody", "contains": "x"}}).evaluate(ctx).message
        == "there is no container named nobody"
    )
    assert any("exactly one of" in p for p in problems({"logs": {"container": "x"}}))


def test_file_content_contains_mode_and_kind(state: FakeState, ctx: CheckContext) -> None:
    docker(
        state,
        "docker run -d --name box busybox sleep 60",
        "docker exec box sh -c 'echo hi > /tmp/note'",
        "docker exec box mkdir /tmp/dir",
    )
    assert isinstance(
        check(
            {
                "file": {
                    "container": "box",
                    "path": "/tmp/note",
                    "content": "hi",
                    "mode": "0644",
                    "type": "file",
                }
            }
        ).evaluate(ctx),
        Pass,
    )
    assert (
        check({"file": {"container": "box", "path": "/tmp/note", "contains": "bye"}}).evaluate(ctx).message
        == "box:/tmp/note does not contain 'bye'; it holds 'hi'"
    )
    assert (
        check({"file": {"container": "box", "path": "/tmp/note", "content": "bye"}}).evaluate(ctx).message
        == "box:/tmp/note holds 'hi', expected 'bye'"
    )
    assert (
        check({"file": {"container": "box", "path": "/tmp/note", "mode": "0600"}}).evaluate(ctx).message
        == "box:/tmp/note has mode 0644, expected 0600"
    )
    assert (
        check({"file": {"container": "box", "path": "/tmp/dir", "type": "file"}}).evaluate(ctx).message
        == "box:/tmp/dir is a directory, expected a file"
    )
    assert (
        check({"file": {"container": "box", "path": "/nope"}}).evaluate(ctx).message
        == "box:/nope does not exist"
    )
    assert isinstance(
        check({"file": {"container": "box", "path": "/nope", "exists": False}}).evaluate(ctx), Pass
    )
    assert (
        check({"file": {"container": "gone", "path": "/x"}}).evaluate(ctx).message
        == "there is no container named gone"
    )


def test_file_schema() -> None:
    assert any("absolute path" in p for p in problems({"file": {"container": "c", "path": "tmp/x"}}))
    assert any(
        "content or contains" in p
        for p in problems({"file": {"container": "c", "path": "/x", "content": "a", "contains": "b"}})
    )
    assert any("quoted octal" in p for p in problems({"file": {"container": "c", "path": "/x", "mode": 644}}))
    assert any(
        "octal mode" in p for p in problems({"file": {"container": "c", "path": "/x", "mode": "rw-r--r--"}})
    )


def test_command_exec_in_container(state: FakeState, ctx: CheckContext) -> None:
    docker(state, "docker run -d --name box busybox sleep 60", "docker exec box sh -c 'echo ready > /state'")
    assert isinstance(
        check({"command": {"exec": "cat /state", "container": "box", "output_matches": "^ready"}}).evaluate(
            ctx
        ),
        Pass,
    )
    outcome = check({"command": {"exec": ["cat", "/missing"], "container": "box"}}).evaluate(ctx)
    assert outcome.message.startswith(
        "`docker exec box cat /missing` exited with 1, expected 0; it printed: "
    )
    outcome = check(
        {"command": {"exec": "cat /state", "container": "box", "output_contains": "done"}}
    ).evaluate(ctx)
    assert (
        outcome.message
        == "the output of `docker exec box cat /state` does not match 'done'; it printed: 'ready'"
    )
    docker(state, "docker stop box")
    outcome = check({"command": {"exec": "cat /state", "container": "box"}}).evaluate(ctx)
    assert (
        outcome.message
        == "cannot run `docker exec box cat /state` in container box: it is exited (code 137), "
        "not running"
    )


def test_command_on_the_host_and_verify_scripts(state: FakeState, ctx: CheckContext, tmp_path: Path) -> None:
    assert isinstance(check({"command": {"run": "test 2 -gt 1"}}).evaluate(ctx), Pass)
    assert (
        check({"command": {"run": "echo nope; exit 4", "exit_code": 0}}).evaluate(ctx).message
        == "`echo nope; exit 4` exited with 4, expected 0; it printed: 'nope'"
    )
    (tmp_path / "verify.sh").write_text("#!/bin/sh\ndocker ps --format '{{.Names}}' | grep -qx web\n")
    verify = check({"command": {"script": "verify.sh"}})
    assert verify.evaluate(ctx).message.startswith("`sh verify.sh` exited with 1")
    docker(state, "docker run -d --name web busybox sleep 60")
    assert isinstance(verify.evaluate(ctx), Pass)  # the script's docker sees the same (fake) engine


def test_command_schema() -> None:
    assert any("exactly one of run, script or exec" in p for p in problems({"command": {"exit_code": 0}}))
    assert any("exec needs the container" in p for p in problems({"command": {"exec": "ls"}}))
    assert any("inside the lesson folder" in p for p in problems({"command": {"script": "../x.sh"}}))
    assert any(
        "regular expression" in p for p in problems({"command": {"run": "true", "output_matches": "["}})
    )


def test_namespaces(state: FakeState, ctx: CheckContext) -> None:
    docker(
        state,
        "docker run -d --name iso busybox sleep 60",
        "docker run -d --name hostpid --pid host busybox sleep 60",
        "docker run -d --name side --network container:iso busybox sleep 60",
    )
    assert isinstance(
        check({"namespaces": {"container": "iso", "differ": ["pid", "net", "mnt"]}}).evaluate(ctx), Pass
    )
    outcome = check({"namespaces": {"container": "hostpid", "differ": ["pid"]}}).evaluate(ctx)
    assert outcome.message.startswith("container hostpid shares the pid namespace with the host (both ")
    assert "与主机共享 pid 命名空间" in outcome.render("zh")
    assert isinstance(
        check({"namespaces": {"container": "side", "same": ["net"], "with": "iso"}}).evaluate(ctx), Pass
    )
    outcome = check({"namespaces": {"container": "side", "same": ["pid"], "with": "iso"}}).evaluate(ctx)
    assert outcome.message.startswith("container side has its own pid namespace (")
    assert outcome.message.endswith("expected it to share container iso's")
    docker(state, "docker stop iso")
    assert (
        check({"namespaces": {"container": "iso", "differ": ["pid"]}}).evaluate(ctx).message
        == "container iso is exited (code 137); its namespaces can only be read while it runs"
    )
    assert any("differ, same, or both" in p for p in problems({"namespaces": {"container": "x"}}))
    assert any(
        "cannot both" in p
        for p in problems({"namespaces": {"container": "x", "differ": ["pid"], "same": ["pid"]}})
    )


def test_cgroup(state: FakeState, ctx: CheckContext) -> None:
    docker(state, "docker run -d --name hog -m 64m --pids-limit 20 busybox sleep 60")
    spec = {
        "container": "hog",
        "memory_limit": "64m",
        "pids_max": 20,
        "memory_usage_below": "64m",
        "pids_current_above": 0,
        "files": {"memory.max": "67108864"},
    }
    assert isinstance(check({"cgroup": spec}).evaluate(ctx), Pass)
    assert (
        check({"cgroup": {"container": "hog", "memory_limit": "32m"}}).evaluate(ctx).message
        == "the cgroup of container hog has memory limit 64MiB, expected 32MiB"
    )
    assert (
        check({"cgroup": {"container": "hog", "memory_usage_above": "32m"}}).evaluate(ctx).message
        == "the cgroup of container hog has memory usage 1MiB, expected above 32MiB"
    )
    assert (
        check({"cgroup": {"container": "hog", "oom_kills_at_least": 1}}).evaluate(ctx).message
        == "the cgroup of container hog has OOM kill count 0, expected above 0"
    )
    assert (
        check({"cgroup": {"container": "hog", "files": {"cpu.max": "50000 100000"}}}).evaluate(ctx).message
        == "the cgroup of container hog has no file cpu.max; it has: memory.max, pids.max"
    )
    assert (
        check({"cgroup": {"container": "hog", "files": {"pids.max": "10"}}}).evaluate(ctx).message
        == "the cgroup of container hog has pids.max 20, expected 10"
    )
    assert any("say what to check" in p for p in problems({"cgroup": {"container": "x"}}))


def test_cgroup_of_a_stopped_container(state: FakeState, ctx: CheckContext) -> None:
    state.docker("docker run --name done busybox true")
    outcome = check({"cgroup": {"container": "done", "memory_limit": "64m"}}).evaluate(ctx)
    assert isinstance(outcome, Fail)
    assert outcome.message == "container done is exited (code 0); its cgroup can only be read while it runs"
