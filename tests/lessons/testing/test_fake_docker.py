"""The fake docker that lesson tests (and front-end tests) run commands through."""

from __future__ import annotations

from sandbox.lessons.testing import FakeState, FakeWorld


def test_run_exit_codes_and_output() -> None:
    state = FakeState()
    assert state.docker("docker run --name hi busybox echo hello there") == (0, "hello there\n")
    assert state.docker("docker run --name bad busybox sh -c 'exit 3'")[0] == 3
    code, out = state.docker("docker run --name plain busybox")
    assert code == 0 and state.container("plain")["State"]["Status"] == "exited"  # type: ignore[index]
    code, out = state.docker("docker run --name hi busybox true")
    assert code == 125 and 'The container name "/hi" is already in use' in out
    assert state.docker("docker run nosuch")[0] == 125


def test_lifecycle_and_events() -> None:
    state = FakeState()
    state.docker("docker run -d --name life busybox sleep 3600")
    assert state.docker("docker rm life")[0] == 1  # running: refused without -f
    state.docker("docker pause life")
    assert state.container("life")["State"]["Status"] == "paused"  # type: ignore[index]
    assert state.docker("docker exec life true")[0] == 1  # paused: no exec
    state.docker("docker unpause life")
    state.docker("docker stop life")
    assert state.container("life")["State"]["ExitCode"] == 137  # type: ignore[index]
    state.docker("docker rm life")
    actions = [e["Action"] for e in state.world.events]
    assert actions == ["create", "start", "pause", "unpause", "kill", "kill", "die", "stop", "destroy"]


def test_the_world_survives_json_for_the_stub() -> None:
    state = FakeState()
    state.docker("docker run -d --name web -v data:/data -m 64m busybox sleep 60")
    again = FakeWorld.from_json(state.world.to_json())
    assert again.container_doc(again.find_container("web")) == state.world.container_doc(  # type: ignore[arg-type]
        state.world.find_container("web")
    )  # type: ignore[arg-type]


def test_host_shell_sees_the_same_world() -> None:
    state = FakeState()
    code, out = state.shell("docker run -d --name viash busybox sleep 60 && docker ps --format '{{.Names}}'")
    assert (code, out.strip().splitlines()[-1]) == (0, "viash")
    assert state.container("viash") is not None  # the stub's change came back
