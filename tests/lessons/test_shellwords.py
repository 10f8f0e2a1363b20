"""When a line is a plain argv and when it needs /bin/sh."""

from __future__ import annotations

import pytest

from sandbox.lessons.shellwords import container_argv, is_docker_line, needs_shell


@pytest.mark.parametrize(
    "line",
    [
        "docker run -d --name web busybox sleep 3600",
        "docker run busybox sh -c 'echo a | tr a b; exit 3'",
        "docker exec web sh -c 'echo hi > /tmp/x'",
        "echo 'it costs $5'",
        'docker run -e "A=1 2" busybox',
    ],
)
def test_plain_lines(line: str) -> None:
    assert not needs_shell(line)


@pytest.mark.parametrize(
    "line",
    [
        "docker ps | grep web",
        "docker rm -f web || true",
        "cd x && docker build .",
        "docker logs web > out.txt",
        "echo $HOME",
        'echo "$HOME"',
        "ls *.md",
        "docker run busybox; echo done",
        "echo `date`",
        "sleep 1 &",
        "docker run 'unbalanced",
    ],
)
def test_lines_that_need_a_shell(line: str) -> None:
    assert needs_shell(line)


def test_container_argv() -> None:
    assert container_argv("cat /etc/hostname") == ["cat", "/etc/hostname"]
    assert container_argv("ps | grep sleep") == ["sh", "-c", "ps | grep sleep"]
    assert container_argv(["ls", "-l"]) == ["ls", "-l"]


def test_is_docker_line() -> None:
    assert is_docker_line("docker ps") and is_docker_line("  docker run x") and is_docker_line("docker")
    assert not is_docker_line("dockerd --debug") and not is_docker_line("sh -c 'docker ps'")
