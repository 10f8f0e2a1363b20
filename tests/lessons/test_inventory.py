"""Resetting by snapshot: only objects made since the snapshot go, moved tags come back."""

from __future__ import annotations

from sandbox.errors import EngineError
from sandbox.lessons.inventory import Inventory, conflicts, reset_to
from sandbox.lessons.model import Resources
from sandbox.lessons.testing import FakeState
from sandbox.lessons.testing.docker import FakeDocker


def run(state: FakeState, *lines: str) -> None:
    for line in lines:
        code, out = state.docker(line)
        assert code == 0, out


def test_snapshot_round_trips_through_json(state: FakeState) -> None:
    run(state, "docker run -d --name web busybox sleep 60", "docker volume create v1")
    inv = Inventory.take(state)
    assert Inventory.from_json(inv.to_json()) == inv
    assert "v1" in inv.volumes and "busybox:latest" in inv.tags


def test_reset_removes_new_objects_of_every_kind_and_nothing_else(state: FakeState) -> None:
    run(
        state,
        "docker run -d --name old busybox sleep 60",
        "docker volume create oldvol",
        "docker network create oldnet",
    )
    before = Inventory.take(state)
    run(
        state,
        "docker network create newnet",
        "docker run -d --name new -v newvol:/d --network newnet busybox sleep 60",
        "docker run -d --name anon -v /scratch busybox sleep 60",
    )
    FakeDocker(state.world).build_image("built:1", "busybox", ["RUN true"])
    report = reset_to(before, state, state)
    assert report.ok
    assert set(report.removed) >= {
        "container new",
        "container anon",
        "network newnet",
        "volume newvol",
        "image built:1",
    }
    after = Inventory.take(state)
    assert after.containers == before.containers and after.volumes == before.volumes
    assert after.networks == before.networks and after.images == before.images


def test_a_tag_moved_by_the_lesson_goes_back(state: FakeState) -> None:
    busybox_id = state.image("busybox")["Id"]  # type: ignore[index]
    before = Inventory.take(state)
    FakeDocker(state.world).build_image("busybox:latest", "busybox", ["RUN echo hijack"])
    assert state.image("busybox")["Id"] != busybox_id  # type: ignore[index]
    report = reset_to(before, state, state)
    assert "tag busybox:latest restored" in report.removed
    assert state.image("busybox")["Id"] == busybox_id  # type: ignore[index]
    assert Inventory.take(state).images == before.images


def test_new_tags_on_old_images_are_untagged(state: FakeState) -> None:
    before = Inventory.take(state)
    run(state, "docker tag busybox mybox:1")
    report = reset_to(before, state, state)
    assert report.removed == ["tag mybox:1"]
    assert state.image("mybox:1") is None and state.image("busybox") is not None


def test_what_cannot_be_removed_is_reported_not_hidden(state: FakeState) -> None:
    before = Inventory.take(state)
    run(state, "docker volume create stuck")

    class Refusing(FakeState):
        def remove_volume(self, name: str) -> None:
            raise EngineError(500, f"remove {name}: device busy")

    report = reset_to(before, state, Refusing(state.world))
    assert report.failed == ["volume stuck: remove stuck: device busy"] and not report.ok


def test_conflicts_name_what_is_taken(state: FakeState) -> None:
    resources = Resources(containers=["web", "free"], volumes=["data"], networks=["net1"], images=["busybox"])
    assert [c.name for c in conflicts(resources, state)] == ["busybox"]
    run(
        state,
        "docker run -d --name web busybox sleep 60",
        "docker volume create data",
        "docker network create net1",
    )
    found = [(c.kind, c.name) for c in conflicts(resources, state)]
    assert found == [("container", "web"), ("volume", "data"), ("network", "net1"), ("image", "busybox")]
