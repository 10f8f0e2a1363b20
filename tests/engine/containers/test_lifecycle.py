"""create, start, wait, stop, kill, pause, restart, rm on real containers (root only)."""

from __future__ import annotations

import errno
import json
import threading
import time

import pytest

from sandbox.errors import (
    ContainerConflict,
    ContainerNameConflict,
    ContainerNotModified,
    InvalidParameter,
    NoSuchContainer,
    NoSuchImage,
)
from tests.engine.containers.conftest import eventually

pytestmark = pytest.mark.root


def test_exit_code_and_output(h) -> None:
    script = "echo hi; echo oops >&2; exit 3"
    cid = h.svc.create({"Image": "busybox", "Cmd": ["sh", "-c", script]}, "three")["Id"]
    exited = h.svc.wait_future("three", "next-exit")
    h.svc.start(cid)
    assert exited.result(10) == {"StatusCode": 3, "Error": None}
    assert [(s, p) for s, p, _ in h.svc.logs(cid)] == [(1, b"hi\n"), (2, b"oops\n")]
    state = h.svc.inspect("three")["State"]
    assert state["Status"] == "exited" and state["ExitCode"] == 3 and not state["Running"]
    assert h.svc.wait("three") == {"StatusCode": 3, "Error": None}  # not-running: at once
    assert h.actions(cid) == ["create", "start", "die"]
    assert next(e for e in h.events if e[1] == "die")[3]["exitCode"] == "3"


def test_names_and_prefixes_resolve(h) -> None:
    cid = h.svc.create({"Image": "busybox", "Cmd": ["true"]}, "web")["Id"]
    assert h.svc.resolve("web") == h.svc.resolve("/web") == h.svc.resolve(cid[:6]) == cid
    with pytest.raises(NoSuchContainer, match="No such container: nope"):
        h.svc.resolve("nope")


def test_stop_sends_sigkill_after_the_timeout(h) -> None:
    # sleep as pid 1 ignores SIGTERM: only the SIGKILL after t ends it.
    cid = h.run(["sleep", "100"], "sleeper")
    started = time.monotonic()
    h.svc.stop(cid, t=1)
    took = time.monotonic() - started
    state = h.svc.inspect(cid)["State"]
    assert state["Status"] == "exited" and state["ExitCode"] == 137
    assert 1 <= took < 10
    assert h.actions(cid)[-4:] == ["kill", "kill", "die", "stop"]
    with pytest.raises(ContainerNotModified):
        h.svc.stop(cid)


def test_stop_signal_that_the_process_handles(h) -> None:
    cid = h.run(["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.1; done"], "trapper")
    eventually(lambda: any(p for p in h.svc.top(cid)["Processes"] if "sleep" in p[-1]), what="the loop")
    h.svc.stop(cid, t=30)
    assert h.svc.inspect(cid)["State"]["ExitCode"] == 0


def test_kill_and_restart_policy_stands_down(h) -> None:
    cid = h.run(["sleep", "100"], "killme", HostConfig={"RestartPolicy": {"Name": "always"}})
    h.svc.kill(cid, "TERM")  # pid 1 ignores TERM: still running
    h.svc.kill(cid)  # KILL
    assert h.svc.wait(cid, timeout=10)["StatusCode"] == 137
    assert h.svc.inspect(cid)["RestartCount"] == 0 and h.svc.inspect(cid)["State"]["Status"] == "exited"
    with pytest.raises(ContainerConflict, match="is not running"):
        h.svc.kill(cid)


def test_pause_unpause(h) -> None:
    cid = h.run(["sleep", "100"], "pauser")
    h.svc.pause(cid)
    assert h.svc.inspect(cid)["State"]["Status"] == "paused"
    assert h.svc.list()[0]["Status"].endswith("(Paused)")
    with pytest.raises(ContainerConflict, match="already paused"):
        h.svc.pause(cid)
    h.svc.unpause(cid)
    assert h.svc.inspect(cid)["State"]["Status"] == "running"
    with pytest.raises(ContainerConflict, match="not paused"):
        h.svc.unpause(cid)
    h.svc.pause(cid)
    h.svc.remove(cid, force=True)  # a paused container dies too
    assert h.actions(cid)[-2:] == ["die", "destroy"]


def test_restart(h) -> None:
    cid = h.run(["sleep", "100"], "restarter")
    pid = h.svc.inspect(cid)["State"]["Pid"]
    h.svc.restart(cid, t=0)
    state = h.svc.inspect(cid)["State"]
    assert state["Running"] and state["Pid"] != pid
    assert h.actions(cid)[-1] == "restart"
    h.svc.stop(cid, t=0)
    h.svc.restart(cid)  # a stopped container just starts
    assert h.svc.inspect(cid)["State"]["Running"]
    with pytest.raises(ContainerNotModified):
        h.svc.start(cid)


def test_remove_running_needs_force(h) -> None:
    cid = h.run(["sleep", "100"], "busy")
    with pytest.raises(ContainerConflict, match='cannot remove container "/busy": container is running'):
        h.svc.remove(cid)
    gone = h.svc.wait_future(cid, "removed")
    h.svc.remove(cid, force=True)
    assert gone.result(5)["StatusCode"] == 137
    with pytest.raises(NoSuchContainer):
        h.svc.inspect(cid)
    assert not (h.settings.root / "containers" / cid).exists()
    assert h.svc.list(all=True) == []


def test_bad_inputs(h) -> None:
    with pytest.raises(InvalidParameter, match=r"Invalid container name \(a/b\)"):
        h.svc.create({"Image": "busybox"}, "a/b")
    h.svc.create({"Image": "busybox"}, "dup")
    with pytest.raises(ContainerNameConflict, match='The container name "/dup" is already in use'):
        h.svc.create({"Image": "busybox"}, "dup")
    with pytest.raises(InvalidParameter, match="Minimum memory limit allowed is 6MB"):
        h.svc.create({"Image": "busybox", "HostConfig": {"Memory": 1024}})
    with pytest.raises(NoSuchImage, match="No such image: nothere:latest"):
        h.svc.create({"Image": "nothere"})
    with pytest.raises(InvalidParameter, match="HostConfig.Memory of type int64"):
        h.svc.create({"Image": "busybox", "HostConfig": {"Memory": "1k"}})
    with pytest.raises(InvalidParameter, match="Config.Tty"):
        h.svc.create({"Image": "busybox", "Tty": "yes"})
    with pytest.raises(InvalidParameter, match='network mode "host" is not supported yet'):
        h.svc.create({"Image": "busybox", "HostConfig": {"NetworkMode": "host"}})
    with pytest.raises(InvalidParameter, match="unable to find user nobody2"):
        h.svc.create({"Image": "busybox", "User": "nobody2"})
    # nothing half-made is left: only "dup" exists, and its name is the only one taken
    assert [c["Names"] for c in h.svc.list(all=True)] == [["/dup"]]
    assert len(list((h.settings.root / "containers").iterdir())) == 1


def test_start_of_a_missing_program(h) -> None:
    cid = h.svc.create({"Image": "busybox", "Cmd": ["nope"]})["Id"]
    with pytest.raises(InvalidParameter, match="executable file not found"):
        h.svc.start(cid)
    state = h.svc.inspect(cid)["State"]
    assert state["Status"] == "created" and state["ExitCode"] == 127 and "nope" in state["Error"]


def test_user_and_limits_reach_the_process(h) -> None:
    cid = h.run(["sh", "-c", "id -u; id -g; cat /etc/hostname; sleep 100"], "limited", User="user",
                HostConfig={"Memory": 32 << 20, "PidsLimit": 50, "NanoCpus": 500_000_000})
    eventually(lambda: len(list(h.svc.logs(cid))) >= 3, what="output")
    lines = [p for _, p, _ in h.svc.logs(cid)]
    assert lines == [b"1000\n", b"1000\n", (cid[:12] + "\n").encode()]
    st = next(h.svc.stats(cid, one_shot=True))
    assert st["memory_stats"]["limit"] == 32 << 20 and st["pids_stats"]["limit"] == 50
    h.svc.update(cid, {"Memory": 64 << 20})
    assert next(h.svc.stats(cid, one_shot=True))["memory_stats"]["limit"] == 64 << 20
    assert h.svc.inspect(cid)["HostConfig"]["Memory"] == 64 << 20
    with pytest.raises(InvalidParameter, match="Minimum memory limit"):
        h.svc.update(cid, {"Memory": 1024})


def test_oom_killed(h) -> None:
    # 8 MiB of memory, and a shell that builds a 64 MiB string: the OOM killer ends it.
    cid = h.run(["sh", "-c", "x=$(head -c 67108864 /dev/zero | tr '\\0' a); echo survived"], "hog",
                HostConfig={"Memory": 8 << 20})
    result = h.svc.wait(cid, timeout=30)
    state = h.svc.inspect(cid)["State"]
    assert state["OOMKilled"] and result["StatusCode"] == 137, (result, state)
    assert "oom" in h.actions(cid)


def test_read_only_root_and_dropped_capabilities(h) -> None:
    script = "touch /made 2>/dev/null && echo wrote; chown 1 /tmp 2>/dev/null && echo chowned; echo done"
    cid = h.run(["sh", "-c", script], "locked", HostConfig={"ReadonlyRootfs": True, "CapDrop": ["CHOWN"]})
    assert h.svc.wait(cid, timeout=10)["StatusCode"] == 0
    assert [p for _, p, _ in h.svc.logs(cid)] == [b"done\n"]


def test_auto_remove_reports_removed_and_the_files_follow(h) -> None:
    cid = h.svc.create({"Image": "busybox", "Cmd": ["true"], "HostConfig": {"AutoRemove": True}}, "gone")["Id"]
    gone = h.svc.wait_future(cid, "removed")
    h.svc.start(cid)
    assert gone.result(10)["StatusCode"] == 0
    with pytest.raises(NoSuchContainer):
        h.svc.inspect(cid)
    assert h.svc.list(all=True) == []
    h.svc.create({"Image": "busybox"}, "gone")  # the name is free at once
    eventually(lambda: not (h.settings.root / "containers" / cid).exists(), what="the container's directory to go")


def test_auto_remove_whose_files_stay_is_finished_at_the_next_start(h, monkeypatch) -> None:
    """The waiters were told "removed" before the files went: when they cannot go, the
    record (which says the removal was under way) is what the next start finishes."""
    refused = threading.Event()

    def refuse(container_id: str) -> None:
        refused.set()
        raise OSError(errno.EBUSY, "refused by the test")

    monkeypatch.setattr(h.svc.eng.files, "remove", refuse)
    cid = h.svc.create({"Image": "busybox", "Cmd": ["true"], "HostConfig": {"AutoRemove": True}})["Id"]
    gone = h.svc.wait_future(cid, "removed")
    h.svc.start(cid)
    assert gone.result(10)["StatusCode"] == 0
    assert h.svc.list(all=True) == []
    record = h.settings.root / "containers" / cid / "config.v2.json"
    assert refused.wait(10)
    assert h.actions(cid)[-2:] == ["die", "destroy"]
    assert json.loads(record.read_text())["state"]["removing"] is True
    monkeypatch.undo()
    new = h.new_service()
    assert new.restore() == []
    assert new.list(all=True) == []
    assert not (h.settings.root / "containers" / cid).exists()


def _count_builds(monkeypatch) -> list[int]:
    from sandbox.engine.containers import lifecycle

    built: list[int] = []
    real = lifecycle.build

    def counting(*a, **k):  # type: ignore[no-untyped-def]
        built.append(1)
        return real(*a, **k)

    monkeypatch.setattr(lifecycle, "build", counting)
    return built


def test_the_spec_checked_at_create_is_the_one_started(h, monkeypatch) -> None:
    """create builds the spec to check it; the first start runs that one, a later start
    builds its own."""
    built = _count_builds(monkeypatch)
    cid = h.svc.create({"Image": "busybox", "Cmd": ["sh", "-c", "id -u; echo $HOSTNAME"], "User": "user"})["Id"]
    h.svc.start(cid)
    assert h.svc.wait(cid, timeout=10)["StatusCode"] == 0
    assert len(built) == 1
    assert [p for _, p, _ in h.svc.logs(cid)] == [b"1000\n", (cid[:12] + "\n").encode()]
    h.svc.start(cid)
    assert h.svc.wait(cid, timeout=10)["StatusCode"] == 0
    assert len(built) == 2


def test_changes_between_create_and_start_reach_the_process(h, monkeypatch) -> None:
    """A limit updated and a /etc/passwd copied in after create: the start builds anew."""
    import io
    import tarfile

    built = _count_builds(monkeypatch)
    cid = h.svc.create({"Image": "busybox", "Cmd": ["sh", "-c", "id -u; sleep 100"], "User": "user",
                        "HostConfig": {"Memory": 32 << 20}})["Id"]
    h.svc.update(cid, {"Memory": 64 << 20})
    passwd = b"root:x:0:0:root:/root:/bin/sh\nuser:x:1234:1234:user:/home/user:/bin/sh\n"
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        info = tarfile.TarInfo("passwd")
        info.size = len(passwd)
        t.addfile(info, io.BytesIO(passwd))
    h.svc.archive_put(cid, "/etc", buf.getvalue())
    h.svc.start(cid)
    eventually(lambda: list(h.svc.logs(cid)), what="output")
    assert [p for _, p, _ in h.svc.logs(cid)] == [b"1234\n"]
    assert next(h.svc.stats(cid, one_shot=True))["memory_stats"]["limit"] == 64 << 20
    assert len(built) == 2
    h.svc.kill(cid)


def test_an_exit_reads_the_runtime_state_once(h, monkeypatch) -> None:
    """The watcher reads the exited container's state for its finish time; deleting the
    runtime container then needs no second read to know that there is one to delete."""
    import sys
    import threading

    runtime = h.svc.eng.runtime
    reads: list[str] = []
    real = runtime.state

    def counting(container: str):  # type: ignore[no-untyped-def]
        caller = sys._getframe(1).f_code.co_filename
        if threading.current_thread().name.startswith("exit-") and "sandbox/engine/" in caller:
            reads.append(container)  # the engine's reads, not the runtime's own (in wait)
        return real(container)

    monkeypatch.setattr(runtime, "state", counting)
    cid = h.run(["true"])
    assert h.svc.wait(cid, timeout=10)["StatusCode"] == 0
    eventually(lambda: h.svc.inspect(cid)["State"]["Status"] == "exited", what="the exit")
    assert reads == [cid]
    with pytest.raises(Exception):  # noqa: B017 - whichever error the runtime has for it
        real(cid)  # and the runtime container is gone


def test_the_fork_lock_is_taken_only_while_the_engine_forks_itself(h) -> None:
    """Without a fork server a create or an exec forks the engine, one at a time; with
    one, each child gets only the descriptors it was given, and nothing waits."""
    eng = h.svc.eng
    assert eng.forking() is eng.fork_lock
    eng.runtime.use_fork_server()
    try:
        with eng.forking():
            assert not eng.fork_lock.locked()
    finally:
        eng.runtime.close()
    assert eng.forking() is eng.fork_lock
