"""Issue 3's acceptance list for the docker Python SDK against a real engine process."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from .conftest import Engine

docker = pytest.importorskip("docker")
pytestmark = pytest.mark.root


@pytest.fixture
def client(engine: Engine) -> Iterator[Any]:
    c = docker.DockerClient(base_url=engine.daemon.docker_host, timeout=60)
    try:
        yield c
    finally:
        c.close()


def test_run_attached_returns_the_output(client: Any) -> None:
    assert client.containers.run("busybox", ["echo", "from the sdk"], remove=True) == b"from the sdk\n"
    with pytest.raises(docker.errors.ContainerError) as failed:
        client.containers.run("busybox", ["sh", "-c", "echo bad >&2; exit 3"], remove=True)
    assert failed.value.exit_status == 3
    assert client.containers.list(all=True) == []


def test_run_detached_logs_and_stats(client: Any) -> None:
    c = client.containers.run("busybox", ["sh", "-c", "echo ready; sleep 600"], detach=True, name="sdk-bg")
    assert c.name == "sdk-bg"
    c.reload()
    assert c.status == "running" and c.attrs["Config"]["Cmd"] == ["sh", "-c", "echo ready; sleep 600"]
    deadline = time.monotonic() + 10
    while c.logs() != b"ready\n" and time.monotonic() < deadline:
        time.sleep(0.02)
    assert c.logs() == b"ready\n"
    stats = c.stats(stream=False)
    assert stats["pids_stats"]["current"] >= 1 and stats["memory_stats"]["usage"] > 0
    assert "cpu_usage" in stats["precpu_stats"]  # a second reading was taken
    streamed = c.stats(stream=True, decode=True)
    first = next(streamed)
    assert first["id"] == c.id and first["name"] == "/sdk-bg"
    streamed.close()
    c.remove(force=True)


def test_exec_run_30_of_30(client: Any) -> None:
    c = client.containers.run("busybox", ["sleep", "600"], detach=True)
    wrong = []
    for i in range(30):
        result = c.exec_run(["sh", "-c", f"echo {i}; exit {i % 5}"])
        if (result.exit_code, result.output) != (i % 5, f"{i}\n".encode()):
            wrong.append((i, result))
    assert wrong == []
    demuxed = c.exec_run(["sh", "-c", "echo out; echo err >&2"], demux=True)
    assert demuxed.output == (b"out\n", b"err\n")
    c.remove(force=True)


def test_images_list_and_events(client: Any) -> None:
    assert [i.tags for i in client.images.list()] == [["busybox:latest"]]
    since = int(time.time()) - 1
    client.containers.run("busybox", ["true"], remove=True, name="sdk-ev")
    until = int(time.time()) + 1
    actions = [ev["Action"] for ev in client.events(since=since, until=until, decode=True,
                                                     filters={"container": "sdk-ev"})]
    assert actions[0] == "create" and actions[-1] == "destroy"
    assert actions.index("start") < actions.index("die")
