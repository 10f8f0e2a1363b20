"""CommitService: a container of the container service becomes an image (copy driver, no root)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from sandbox.engine.events import EventBus
from sandbox.engine.imaging.commits import CommitRequest, CommitService, changes_of, target_tag
from sandbox.errors import ContainerNotCommittable, InvalidChange, InvalidParameter, SandboxError
from sandbox.storage import Store

CID = "c" * 64


@dataclass
class FakeContainers:
    """The slice of the container service a commit uses; records pause/unpause."""

    state: dict[str, Any]
    calls: list[str] = field(default_factory=list)
    fail_unpause: bool = False

    def inspect(self, ref: str, size: bool = False) -> dict[str, Any]:
        return {"Id": CID, "Name": "/web", "State": self.state,
                "Config": {"Cmd": ["sh", "-c", "echo data > /f"], "Env": ["PATH=/bin"], "Image": "busybox"}}

    def pause(self, ref: str) -> None:
        self.calls.append("pause")

    def unpause(self, ref: str) -> None:
        self.calls.append("unpause")
        if self.fail_unpause:
            raise SandboxError("container is gone")


@pytest.fixture
def container(store: Store) -> Store:
    layout = store.create_container_layer(CID, "busybox")
    assert layout.path is not None
    (layout.path / "f").write_text("data\n")
    return store


def test_a_running_container_is_paused_around_the_commit(container: Store) -> None:
    containers = FakeContainers({"Running": True, "Paused": False})
    events = EventBus()
    image = CommitService(container, containers, events).commit(CommitRequest(
        container="web", repo="me/snap", tag="1", comment="saved", author="learner", changes=["ENV X=1"]))
    assert containers.calls == ["pause", "unpause"]
    assert image.tags == ["me/snap:1"]
    assert len(image.layers) == len(container.image("busybox").layers) + 1
    config = container.image_config(image)
    assert config.env == ["PATH=/bin", "X=1"] and config.author == "learner"
    assert config.history[-1].comment == "saved"
    found = container.resolve_path(image, "/f")
    assert found is not None and found.read_text() == "data\n"
    assert [(e.type, e.action) for e in events.history] == [("container", "commit"), ("image", "tag")]


def test_no_pause_when_asked_or_stopped(container: Store) -> None:
    for state, pause in (({"Running": True}, False), ({"Running": False}, True)):
        containers = FakeContainers(state)
        CommitService(container, containers).commit(CommitRequest(container="web", pause=pause))
        assert containers.calls == []


def test_a_failed_unpause_does_not_undo_the_image(container: Store) -> None:
    containers = FakeContainers({"Running": True}, fail_unpause=True)
    image = CommitService(container, containers).commit(CommitRequest(container="web", repo="snap"))
    assert image.tags == ["snap:latest"]


def test_a_bad_change_unpauses_and_makes_nothing(container: Store) -> None:
    containers = FakeContainers({"Running": True})
    before = len(container.images())
    with pytest.raises(InvalidChange):
        CommitService(container, containers).commit(CommitRequest(container="web", changes=["RUN rm -rf /"]))
    assert containers.calls == ["pause", "unpause"] and len(container.images()) == before


def test_a_restarting_container_or_one_without_a_layer_is_refused(store: Store) -> None:
    with pytest.raises(ContainerNotCommittable, match="restarting"):
        CommitService(store, FakeContainers({"Restarting": True})).commit(CommitRequest(container="web"))
    with pytest.raises(ContainerNotCommittable, match="no read-write layer"):
        CommitService(store, FakeContainers({"Running": False})).commit(CommitRequest(container="web"))


@pytest.mark.parametrize("repo, tag, expected", [
    (None, None, None), ("snap", None, "snap:latest"), ("snap", "2", "snap:2"),
    ("127.0.0.1:5000/snap:3", None, "127.0.0.1:5000/snap:3"),
])
def test_target_tag(repo: str | None, tag: str | None, expected: str | None) -> None:
    assert target_tag(repo, tag) == expected


@pytest.mark.parametrize("repo, tag", [(None, "1"), ("snap@sha256:" + "a" * 64, None), ("UPPER", None)])
def test_target_tag_refuses(repo: str | None, tag: str | None) -> None:
    with pytest.raises(SandboxError) as info:
        target_tag(repo, tag)
    assert isinstance(info.value, (InvalidParameter, SandboxError)) and info.value.message


def test_changes_are_split_on_newlines() -> None:
    assert changes_of(["ENV A=1\nCMD [\"sh\"]", "", "USER 1"]) == ["ENV A=1", 'CMD ["sh"]', "USER 1"]
