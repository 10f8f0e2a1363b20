"""Image, volume and network checks: passing, failing with what was seen, and schema rules."""

from __future__ import annotations

from sandbox.lessons.checks import Fail, Pass
from sandbox.lessons.checks.base import CheckContext
from sandbox.lessons.testing import FakeState
from sandbox.lessons.testing.docker import FakeDocker
from tests.lessons.checks.helpers import check, docker, problems


def test_image_exists_layers_history_labels(state: FakeState, ctx: CheckContext) -> None:
    image = FakeDocker(state.world).build_image("app:1", "busybox", ["RUN echo built", "COPY app /app"])
    image.labels["stage"] = "demo"
    spec = {
        "ref": "app:1",
        "layers": 3,
        "history_contains": ["echo built", "COPY app"],
        "labels": {"stage": "demo"},
    }
    assert isinstance(check({"image": spec}).evaluate(ctx), Pass)
    assert (
        check({"image": {"ref": "app:1", "layers": 2}}).evaluate(ctx).message
        == "image app:1 has 3 layers, expected 2"
    )
    outcome = check({"image": {"ref": "app:1", "history_contains": "apt-get"}}).evaluate(ctx)
    assert outcome.message.startswith("no step in the history of image app:1 contains 'apt-get'; its steps: ")
    assert "COPY app /app" in outcome.message
    assert (
        check({"image": {"ref": "app:1", "labels": {"stage": "prod"}}}).evaluate(ctx).message
        == "image app:1 has label stage=demo, expected prod"
    )
    assert check({"image": {"ref": "app:2"}}).evaluate(ctx).message == "there is no image app:2"


def test_image_same_as_and_removed(state: FakeState, ctx: CheckContext) -> None:
    docker(state, "docker tag busybox mybox:v1")
    assert isinstance(check({"image": {"ref": "mybox:v1", "same_as": "busybox"}}).evaluate(ctx), Pass)
    outcome = check({"image": {"ref": "mybox:v1", "same_as": "debian:bookworm"}}).evaluate(ctx)
    assert isinstance(outcome, Fail) and "they are different images" in outcome.message
    assert (
        check({"image": {"ref": "mybox:v1", "exists": False}})
        .evaluate(ctx)
        .message.startswith("image mybox:v1 still exists (")
    )
    docker(state, "docker rmi mybox:v1")
    assert isinstance(check({"image": {"ref": "mybox:v1", "exists": False}}).evaluate(ctx), Pass)
    assert any(
        "cannot be combined" in p for p in problems({"image": {"ref": "x", "exists": False, "layers": 1}})
    )


def test_volume(state: FakeState, ctx: CheckContext) -> None:
    assert check({"volume": {"name": "data"}}).evaluate(ctx).message == "there is no volume named data"
    docker(
        state,
        "docker volume create --label keep=yes data",
        "docker run -d --name db -v data:/var busybox sleep 60",
    )
    spec = {"name": "data", "driver": "local", "labels": {"keep": "yes"}, "used_by": "db"}
    assert isinstance(check({"volume": spec}).evaluate(ctx), Pass)
    docker(state, "docker run -d --name other busybox sleep 60")
    assert (
        check({"volume": {"name": "data", "used_by": "other"}}).evaluate(ctx).message
        == "container other does not mount volume data; its mounts: none"
    )
    assert (
        check({"volume": {"name": "data", "driver": "nfs"}}).evaluate(ctx).message
        == "volume data has driver local, expected nfs"
    )
    assert (
        check({"volume": {"name": "data", "exists": False}}).evaluate(ctx).message
        == "volume data still exists; expected it to be removed"
    )


def test_network(state: FakeState, ctx: CheckContext) -> None:
    assert check({"network": {"name": "appnet"}}).evaluate(ctx).message == "there is no network named appnet"
    docker(
        state,
        "docker network create --subnet 10.9.0.0/24 appnet",
        "docker run -d --name api --network appnet busybox sleep 60",
    )
    spec = {
        "name": "appnet",
        "driver": "bridge",
        "subnet": "10.9.0.0/24",
        "containers": ["api"],
        "internal": False,
    }
    assert isinstance(check({"network": spec}).evaluate(ctx), Pass)
    assert (
        check({"network": {"name": "appnet", "subnet": "10.8.0.0/24"}}).evaluate(ctx).message
        == "network appnet has subnet 10.9.0.0/24, expected 10.8.0.0/24"
    )
    assert (
        check({"network": {"name": "appnet", "containers": ["db"]}}).evaluate(ctx).message
        == "container db is not connected to network appnet; connected: api"
    )
    assert "仍然存在" in check({"network": {"name": "appnet", "exists": False}}).evaluate(ctx).render("zh")
