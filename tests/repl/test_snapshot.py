"""``reset``: the difference between now and the session's start, removed in order."""

from __future__ import annotations

import pytest

from sandbox.client import EngineClient, MockResponse, MockRouter, MockTransport
from sandbox.errors import EngineUnavailable, ResetUnavailable
from sandbox.repl.snapshot import Snapshot, State, apply_reset, plan_reset, read_state

BEFORE = State(containers={"c1": "old"}, images={"i1": ("busybox:latest",)}, volumes=frozenset({"keep"}),
               networks={"n0": "bridge", "n1": "mine-before"})
NOW = State(containers={"c1": "old", "c2": "web"}, images={"i1": ("busybox:latest", "mine:1"), "i2": ("app:1",)},
            volumes=frozenset({"keep", "data"}), networks={"n0": "bridge", "n1": "mine-before", "n2": "app",
                                                         "n3": "host"})


def test_the_plan_is_only_what_the_session_added() -> None:
    plan = plan_reset(BEFORE, NOW)
    assert plan.containers == [("c2", "web")]
    assert plan.tags == ["mine:1"]
    assert plan.images == [("i2", ("app:1",))]
    assert plan.volumes == ["data"]
    assert plan.networks == [("n2", "app")]  # "host" is predefined, never removed


def test_nothing_added_is_an_empty_plan() -> None:
    assert plan_reset(NOW, NOW).empty


def test_apply_removes_containers_first_and_goes_on_past_a_failure() -> None:
    router = MockRouter()
    router.add("DELETE", "/containers/c2", MockResponse(204))
    router.add("DELETE", "/images/mine:1", MockResponse.json([{"Untagged": "mine:1"}]))
    router.add("DELETE", "/images/i2", MockResponse.error(409, "image is in use"))
    router.add("DELETE", "/volumes/data", MockResponse(204))
    router.add("DELETE", "/networks/n2", MockResponse(204))
    transport = MockTransport(router)
    report: list[str] = []
    failures = apply_reset(EngineClient(transport=transport), plan_reset(BEFORE, NOW), report.append)
    assert [r for r in transport.routes() if r != "GET /_ping"] == [
        "DELETE /containers/c2", "DELETE /images/mine:1", "DELETE /images/i2", "DELETE /volumes/data",
        "DELETE /networks/n2"]
    assert transport.requests[1].query == {"force": "1", "v": "1"}
    assert len(failures) == 1 and "could not remove image app:1: image is in use" in report


def test_read_state_tolerates_an_engine_without_volumes_or_networks(engine, client) -> None:
    engine.add_container("web")
    engine.router.add("GET", "/volumes", MockResponse.error(404, "page not found"))
    state = read_state(client)
    assert list(state.containers.values()) == ["web"]
    assert state.volumes == frozenset()


def test_no_snapshot_no_reset() -> None:
    def unreachable() -> State:
        raise EngineUnavailable("unix:///nowhere", "no socket there")

    snapshot = Snapshot(unreachable)
    with pytest.raises(ResetUnavailable, match="no socket there"):
        snapshot.state()


def test_a_snapshot_missed_at_start_is_taken_before_the_first_command() -> None:
    answers = iter([EngineUnavailable("unix:///x", "down"), BEFORE])

    def read() -> State:
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    snapshot = Snapshot(read)
    snapshot.start()
    assert snapshot.ensure() == BEFORE
    assert snapshot.state() == BEFORE
