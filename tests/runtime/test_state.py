import pytest

from sandbox.errors import ContainerExists, ContainerNotFound, SandboxError, StateError
from sandbox.runtime.state import State, StateDir, Status, can, check_transition


def test_bad_transition_names_both_states() -> None:
    with pytest.raises(StateError) as e:
        check_transition("web", "pause", Status.STOPPED)
    assert "stopped" in str(e.value) and "running" in str(e.value) and "pause" in str(e.value)


@pytest.mark.parametrize("op,good,bad", [
    ("start", Status.CREATED, Status.RUNNING),
    ("resume", Status.PAUSED, Status.RUNNING),
    ("delete", Status.STOPPED, Status.RUNNING),
    ("kill", Status.RUNNING, Status.STOPPED),
])
def test_guards(op, good, bad) -> None:
    assert can(op, good)
    assert not can(op, bad)


def test_state_roundtrip_and_errors(tmp_path) -> None:
    sd = StateDir(tmp_path, "c1")
    sd.make()
    with pytest.raises(ContainerExists):
        sd.make()
    sd.write(State(id="c1", bundle="/b", status=Status.CREATED, pid=42))
    st = sd.read()
    assert st.status is Status.CREATED and st.pid == 42
    with pytest.raises(ContainerNotFound):
        StateDir(tmp_path, "nope").read()


@pytest.mark.parametrize("bad", ["", "../x", "a/b", "-x", "x" * 200])
def test_invalid_ids_are_refused(tmp_path, bad) -> None:
    with pytest.raises(SandboxError, match="invalid container id"):
        StateDir(tmp_path, bad)
