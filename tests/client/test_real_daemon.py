"""The client against a real engine: negotiation, the run sequence, exec, archives, events."""

from __future__ import annotations

import io
import tarfile
import time
import uuid

import pytest

from sandbox.client import EngineClient, EngineError, Stream

from .daemons import Daemon

pytestmark = pytest.mark.root


@pytest.fixture
def client(daemon: Daemon) -> EngineClient:
    c = EngineClient(str(daemon.socket))
    yield c
    c.close()


@pytest.fixture
def name() -> str:
    return "t" + uuid.uuid4().hex[:10]


def test_negotiates_the_engines_version(client: EngineClient) -> None:
    assert client.api_version in ("1.41", "1.47") or client.api_version < "1.47"
    assert client.version()["ApiVersion"] >= client.api_version


def test_create_attach_wait_start_sequence(client: EngineClient, name: str) -> None:
    created = client.containers.create({"Image": "busybox", "Cmd": ["sh", "-c", "echo out; echo err >&2; exit 3"],
                                        "AttachStdout": True, "AttachStderr": True,
                                        "HostConfig": {"AutoRemove": True, "NetworkMode": "none"}}, name=name)
    cid = created["Id"]
    with client.containers.attach(cid, stdout=True, stderr=True, tty=False) as stream:
        waiter = client.containers.begin_wait(cid, condition="removed")
        client.containers.start(cid)
        output = list(stream.output())
    # stdout and stderr are separate pipes in the container: their relative order is free.
    assert sorted(output) == [(Stream.STDOUT, b"out\n"), (Stream.STDERR, b"err\n")]
    assert waiter.result()["StatusCode"] == 3
    with pytest.raises(EngineError) as info:
        client.containers.inspect(cid)
    assert info.value.status == 404


def test_exec_archives_logs_and_events(client: EngineClient, name: str) -> None:
    since = int(time.time())
    cid = client.containers.create({"Image": "busybox", "Cmd": ["sh", "-c", "echo hello; sleep 600"],
                                    "HostConfig": {"NetworkMode": "none"}}, name=name)["Id"]
    try:
        client.containers.start(cid)
        exec_id = client.exec.create(cid, ["sh", "-c", "cat; exit 7"], stdin=True)["Id"]
        with client.exec.start(exec_id) as stream:
            stream.sendall(b"piped")
            stream.close_write()
            assert list(stream.output()) == [(Stream.STDOUT, b"piped")]
        assert client.exec.inspect(exec_id)["ExitCode"] == 7

        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w") as tar:
            info = tarfile.TarInfo("note.txt")
            info.size = 3
            tar.addfile(info, io.BytesIO(b"abc"))
        client.containers.put_archive(cid, "/tmp", buffer.getvalue())
        data, stat = client.containers.get_archive(cid, "/tmp/note.txt")
        assert stat is not None and stat.name == "note.txt" and stat.size == 3 and not stat.is_dir
        assert tarfile.open(fileobj=io.BytesIO(data)).extractfile("note.txt").read() == b"abc"
        assert client.containers.stat_path(cid, "/tmp").is_dir
        assert {"Kind": 1, "Path": "/tmp/note.txt"} in client.containers.changes(cid)

        logs = b"".join(d for _, d in client.containers.logs(cid, tty=False))
        assert logs == b"hello\n"
        stats = client.containers.stats(cid, stream=False)
        assert stats["pids_stats"]["current"] >= 1
        top = client.containers.top(cid)
        assert "PID" in top["Titles"]
    finally:
        client.containers.remove(cid, force=True)
    actions = [e["Action"] for e in client.events(since=since, until=int(time.time()) + 1,
                                                  filters={"container": cid})]
    assert actions[:2] == ["create", "start"]
    assert "destroy" in actions
