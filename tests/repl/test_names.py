"""The live-name cache: fetch once, serve stale while refreshing, survive a dead engine."""

from __future__ import annotations

import threading

from sandbox.errors import EngineUnavailable
from sandbox.repl.names import NameCache, client_fetch
from tests.helpers import wait_until


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_first_get_fetches_then_serves_from_cache() -> None:
    calls: list[str] = []
    cache = NameCache(lambda kind: calls.append(kind) or ["b", "a", "a"], clock=Clock())
    assert cache.get("container") == ("a", "b")
    assert cache.get("container") == ("a", "b")
    assert calls == ["container"]


def test_a_stale_list_is_served_at_once_and_refreshed_in_the_background() -> None:
    clock = Clock()
    answers = iter([["old"], ["new"]])
    release = threading.Event()

    def fetch(kind: str) -> list[str]:
        answer = next(answers)
        if answer == ["new"]:
            release.wait(5)
        return answer

    cache = NameCache(fetch, ttl=2.0, clock=clock)
    assert cache.get("image") == ("old",)
    clock.now = 10.0
    assert cache.get("image") == ("old",)  # stale, but no waiting on the engine
    release.set()
    assert wait_until(lambda: cache.cached("image") == ("new",), timeout=5)


def test_a_dead_engine_means_no_names_not_an_error() -> None:
    def fetch(kind: str) -> list[str]:
        raise EngineUnavailable("unix:///nowhere", "no socket there")

    assert NameCache(fetch).get("container") == ()


def test_invalidate_fetches_again() -> None:
    calls: list[str] = []
    cache = NameCache(lambda kind: calls.append(kind) or [kind], clock=Clock())
    cache.get("volume")
    cache.invalidate()
    assert wait_until(lambda: len(calls) == 2, timeout=5)


def test_client_fetch_reads_each_kind(client) -> None:
    engine_names = client_fetch(client)
    assert engine_names("image") == ["web:1"]
    assert engine_names("volume") == ["data"]
    assert engine_names("network") == ["bridge", "app"]
    assert engine_names("container") == []
