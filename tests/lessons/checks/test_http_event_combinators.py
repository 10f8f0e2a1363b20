"""http (loopback only), event (since the step or lesson began), all_of and any_of."""

from __future__ import annotations

import pytest

from sandbox.errors import HostRefused
from sandbox.lessons.checks import Fail, Pass
from sandbox.lessons.checks.base import CheckContext
from sandbox.lessons.state import HttpResult, loopback_url
from sandbox.lessons.testing import FakeState
from tests.lessons.checks.helpers import check, docker, problems


def test_http(state: FakeState, ctx: CheckContext) -> None:
    url = "http://127.0.0.1:18080/"
    assert check({"http": {"url": url}}).evaluate(ctx).message == f"GET {url} failed: connection refused"
    state.http[url] = HttpResult(200, b"<h1>It works</h1>")
    assert isinstance(check({"http": {"url": url, "contains": "It works"}}).evaluate(ctx), Pass)
    assert (
        check({"http": {"url": url, "contains": "Welcome"}}).evaluate(ctx).message
        == f"the page at {url} does not contain 'Welcome'; it begins: '<h1>It works</h1>'"
    )
    state.http[url] = HttpResult(404, b"")
    assert check({"http": {"url": url}}).evaluate(ctx).message == f"GET {url} answered 404, expected 200"


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1/",
        "http://example.com/",
        "ftp://127.0.0.1/",
        "http:///x",
        "http://127.0.0.1.example.com/",
    ],
)
def test_only_loopback_is_fetched(url: str) -> None:
    with pytest.raises(HostRefused):
        loopback_url(url)
    assert any("not a loopback address" in p for p in problems({"http": {"url": url}}))


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8080/", "http://localhost/", "http://[::1]:80/x", "https://127.0.0.2/"]
)
def test_loopback_urls_are_allowed(url: str) -> None:
    assert loopback_url(url) == url


def test_event_since_the_step_began(state: FakeState, ctx: CheckContext) -> None:
    destroyed = check({"event": {"action": "destroy", "name": "web"}})
    assert (
        destroyed.evaluate(ctx).message
        == "no 'destroy' event for container web since this step began; seen: none"
    )
    docker(state, "docker run -d --name web busybox sleep 60", "docker rm -f web")
    assert isinstance(destroyed.evaluate(ctx), Pass)
    # An event from before the step started does not count…
    later = CheckContext(state, ctx.lesson_dir, since=state.world.now() + 60, lesson_since=0.0)
    outcome = destroyed.evaluate(later)
    assert isinstance(outcome, Fail) and "since this step began" in outcome.message
    # …unless the check looks from the lesson's start.
    assert isinstance(
        check({"event": {"action": "destroy", "name": "web", "since": "lesson"}}).evaluate(later), Pass
    )


def test_event_actions_and_types(state: FakeState, ctx: CheckContext) -> None:
    docker(
        state,
        "docker run -d --name box busybox sleep 60",
        "docker exec box true",
        "docker tag busybox mine:1",
    )
    assert isinstance(check({"event": {"action": "exec_start", "name": "box"}}).evaluate(ctx), Pass)
    assert isinstance(
        check({"event": {"action": "tag", "name": "mine:1", "type": "image"}}).evaluate(ctx), Pass
    )
    outcome = check({"event": {"action": "die", "name": "box"}}).evaluate(ctx)
    assert outcome.message.startswith(
        "no 'die' event for container box since this step began; seen: create box"
    )


def test_all_of_reports_every_failure_once(state: FakeState, ctx: CheckContext) -> None:
    both = check(
        {
            "all_of": [
                {"container": {"name": "web"}},
                {"container": {"name": "web", "running": True}},
                {"volume": {"name": "data"}},
            ]
        }
    )
    outcome = both.evaluate(ctx)
    assert outcome.message == "there is no container named web; there is no volume named data"
    assert outcome.render("zh") == "没有名为 web 的容器; 没有名为 data 的数据卷"
    docker(state, "docker run -d --name web busybox sleep 60", "docker volume create data")
    assert isinstance(both.evaluate(ctx), Pass)


def test_any_of(state: FakeState, ctx: CheckContext) -> None:
    either = check({"any_of": [{"container": {"name": "a1"}}, {"container": {"name": "b2"}}]})
    assert (
        either.evaluate(ctx).message
        == "none of these holds: there is no container named a1 | there is no container named b2"
    )
    docker(state, "docker run -d --name b2 busybox sleep 60")
    assert isinstance(either.evaluate(ctx), Pass)


def test_combinator_schema() -> None:
    assert any("non-empty list" in p for p in problems({"all_of": []}))
    assert any(
        "unknown check type" in p and "container" in p for p in problems({"any_of": [{"contianer": {}}]})
    )
