"""The container check: each aspect passes on matching state and fails saying what it saw."""

from __future__ import annotations

from sandbox.lessons.checks import Fail, Pass
from sandbox.lessons.checks.base import CheckContext
from sandbox.lessons.testing import FakeState
from tests.lessons.checks.helpers import check, docker, problems


def test_missing_container_fails_by_name(ctx: CheckContext) -> None:
    outcome = check({"container": {"name": "web"}}).evaluate(ctx)
    assert isinstance(outcome, Fail) and outcome.message == "there is no container named web"
    assert outcome.render("zh") == "没有名为 web 的容器"


def test_running_passes_and_an_exited_one_says_its_code(state: FakeState, ctx: CheckContext) -> None:
    docker(state, "docker run -d --name web busybox sleep 3600")
    assert isinstance(check({"container": {"name": "web", "running": True}}).evaluate(ctx), Pass)
    state.docker("docker run --name bad busybox sh -c 'exit 1'")
    outcome = check({"container": {"name": "bad", "running": True}}).evaluate(ctx)
    assert isinstance(outcome, Fail)
    assert outcome.message == "container bad is exited (code 1), expected running"


def test_status_and_exit_code(state: FakeState, ctx: CheckContext) -> None:
    docker(state, "docker create --name box busybox sleep 3600")
    assert isinstance(check({"container": {"name": "box", "status": "created"}}).evaluate(ctx), Pass)
    outcome = check({"container": {"name": "box", "exit_code": 0}}).evaluate(ctx)
    assert outcome.message == "container box is created and has not exited yet; expected exit code 0"
    state.docker("docker run --name three busybox sh -c 'exit 3'")
    assert isinstance(check({"container": {"name": "three", "exit_code": [3, 4]}}).evaluate(ctx), Pass)
    outcome = check({"container": {"name": "three", "exit_code": 0}}).evaluate(ctx)
    assert outcome.message == "container three exited with code 3, expected 0"


def test_exists_false(state: FakeState, ctx: CheckContext) -> None:
    gone = check({"container": {"name": "web", "exists": False}})
    assert isinstance(gone.evaluate(ctx), Pass)
    docker(state, "docker run -d --name web busybox sleep 3600")
    assert gone.evaluate(ctx).message == "container web still exists (running); expected it to be removed"


def test_image_by_another_name_of_the_same_image(state: FakeState, ctx: CheckContext) -> None:
    docker(state, "docker tag busybox mybox:1", "docker run -d --name web mybox:1 sleep 3600")
    assert isinstance(check({"container": {"name": "web", "image": "busybox"}}).evaluate(ctx), Pass)
    assert isinstance(
        check({"container": {"name": "web", "image": "docker.io/library/busybox:latest"}}).evaluate(ctx), Pass
    )
    outcome = check({"container": {"name": "web", "image": "debian:bookworm"}}).evaluate(ctx)
    assert outcome.message == "container web runs image mybox:1, expected debian:bookworm"


def test_limits(state: FakeState, ctx: CheckContext) -> None:
    docker(state, "docker run -d --name hog -m 64m --cpus 0.5 --pids-limit 20 busybox sleep 3600")
    good = {"name": "hog", "memory_limit": "64m", "cpus": 0.5, "pids_limit": 20}
    assert isinstance(check({"container": good}).evaluate(ctx), Pass)
    assert (
        check({"container": {"name": "hog", "memory_limit": "32m"}}).evaluate(ctx).message
        == "container hog has memory limit 64MiB, expected 32MiB"
    )
    assert (
        check({"container": {"name": "hog", "cpus": 1}}).evaluate(ctx).message
        == "container hog has CPU limit (--cpus) 0.5, expected 1"
    )
    assert (
        check({"container": {"name": "hog", "pids_limit": 10}}).evaluate(ctx).message
        == "container hog has pids limit 20, expected 10"
    )
    docker(state, "docker run -d --name free busybox sleep 3600")
    assert (
        check({"container": {"name": "free", "memory_limit": 67108864}}).evaluate(ctx).message
        == "container free has memory limit unlimited, expected 64MiB"
    )
    assert "内存限制" in check({"container": {"name": "free", "memory_limit": "64m"}}).evaluate(ctx).render(
        "zh"
    )


def test_cpu_quota_and_restart_policy(state: FakeState, ctx: CheckContext) -> None:
    docker(state, "docker run -d --name quota --cpu-quota 50000 --restart always busybox sleep 3600")
    assert isinstance(
        check({"container": {"name": "quota", "cpu_quota": 50000, "restart_policy": "always"}}).evaluate(ctx),
        Pass,
    )
    assert (
        check({"container": {"name": "quota", "restart_policy": "no"}}).evaluate(ctx).message
        == "container quota has restart policy always, expected no"
    )


def test_mounts(state: FakeState, ctx: CheckContext) -> None:
    docker(state, "docker run -d --name mnt -v data:/data -v /srv:/srv:ro busybox sleep 3600")
    spec = {
        "name": "mnt",
        "mounts": [
            {"destination": "/data", "source": "data", "type": "volume"},
            {"destination": "/srv", "type": "bind", "rw": False},
        ],
    }
    assert isinstance(check({"container": spec}).evaluate(ctx), Pass)
    outcome = check({"container": {"name": "mnt", "mounts": [{"destination": "/other"}]}}).evaluate(ctx)
    assert outcome.message == "container mnt has nothing mounted at /other; its mounts: /data, /srv"
    outcome = check({"container": {"name": "mnt", "mounts": [{"destination": "/srv", "rw": True}]}}).evaluate(
        ctx
    )
    assert outcome.message == "the mount at /srv in container mnt has read-write flag False, expected True"


def test_network_and_ports(state: FakeState, ctx: CheckContext) -> None:
    docker(
        state,
        "docker network create appnet",
        "docker run -d --name web --network appnet -p 8080:80 busybox httpd -f",
    )
    assert isinstance(
        check({"container": {"name": "web", "network": "appnet", "ports": ["8080:80"]}}).evaluate(ctx), Pass
    )
    assert (
        check({"container": {"name": "web", "network": "bridge"}}).evaluate(ctx).message
        == "container web is not on network bridge; it is on: appnet"
    )
    assert (
        check({"container": {"name": "web", "ports": ["9090:80"]}}).evaluate(ctx).message
        == "container web publishes port 80/tcp on host port 8080, expected 9090"
    )
    assert (
        check({"container": {"name": "web", "ports": [{"container": 53, "proto": "udp"}]}})
        .evaluate(ctx)
        .message
        == "container web does not publish port 53/udp; it publishes: 80/tcp->8080"
    )


def test_labels_env_and_oom(state: FakeState, ctx: CheckContext) -> None:
    docker(state, "docker run -d --name lab -l tier=web -e MODE=dev busybox sleep 3600")
    assert isinstance(
        check({"container": {"name": "lab", "labels": {"tier": "web"}, "env": {"MODE": "dev"}}}).evaluate(
            ctx
        ),
        Pass,
    )
    assert (
        check({"container": {"name": "lab", "labels": {"tier": "db"}}}).evaluate(ctx).message
        == "container lab has label tier=web, expected db"
    )
    assert (
        check({"container": {"name": "lab", "env": {"MODE": "prod"}}}).evaluate(ctx).message
        == "container lab has environment variable MODE=dev, expected MODE=prod"
    )
    state.docker("docker run --name hog -m 8m busybox tail /dev/zero")
    assert isinstance(check({"container": {"name": "hog", "oom_killed": True}}).evaluate(ctx), Pass)
    assert (
        check({"container": {"name": "lab", "oom_killed": True}}).evaluate(ctx).message
        == "container lab was not killed by the out-of-memory killer (running)"
    )


def test_schema_refuses_nonsense() -> None:
    assert any(
        "exists: false" in p for p in problems({"container": {"name": "x", "exists": False, "image": "a"}})
    )
    assert any(
        "either status or running" in p
        for p in problems({"container": {"name": "x", "status": "running", "running": True}})
    )
    assert any("size like 64m" in p for p in problems({"container": {"name": "x", "memory_limit": "lots"}}))
    assert any("port like" in p for p in problems({"container": {"name": "x", "ports": ["eighty"]}}))
    assert any("one of created" in p for p in problems({"container": {"name": "x", "status": "sleeping"}}))
