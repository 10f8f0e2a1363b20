"""The toolbar's states: checking, up (version, running count), down (how to start it)."""

from __future__ import annotations

from sandbox.client import EngineClient, MockResponse, MockRouter, MockTransport
from sandbox.errors import EngineUnavailable
from sandbox.repl.show.draw import plain
from sandbox.repl.toolbar import EngineStatus, StatusPoller, probe, toolbar_fragments


class DeadTransport:
    def send(self, request):
        raise EngineUnavailable("unix:///run/sandbox/engine.sock", "no socket there (is the engine running?)")

    def hijack(self, request):
        raise EngineUnavailable("unix:///run/sandbox/engine.sock", "no socket there")

    def close(self) -> None:
        pass


def test_up_shows_version_api_and_running_count(engine, client) -> None:
    engine.add_container("web")
    status = probe(client)
    assert status == EngineStatus("up", "unix:///fake/engine.sock", "1.47", "0.1.0", 1)
    text = plain(toolbar_fragments(status))
    assert "API 1.47" in text and "v0.1.0" in text and "1 running" in text


def test_down_says_how_to_start_it() -> None:
    status = probe(EngineClient(transport=DeadTransport()))
    assert status.state == "down"
    assert status.address == "unix:///run/sandbox/engine.sock"
    text = plain(toolbar_fragments(status))
    assert "engine not running — start it with `sudo sandbox up`" in text
    assert toolbar_fragments(status)[0][0] == "class:toolbar.down"


def test_a_socket_we_may_not_open_says_why_instead_of_start_it() -> None:
    status = EngineStatus("down", "unix:///run/sandbox/engine.sock", problem="permission denied",
                          hint="run as root, or join the `sandbox` group: sudo usermod -aG sandbox $USER")
    text = plain(toolbar_fragments(status))
    assert "engine unreachable — permission denied: run as root, or join the `sandbox` group" in text
    assert "sandbox up" not in text


def test_an_engine_that_answers_the_ping_but_not_more_is_up() -> None:
    router = MockRouter().add("GET", "/version", MockResponse.error(500, "broken"))
    status = probe(EngineClient(transport=MockTransport(router)))
    assert status.state == "up" and status.running is None


def test_checking_before_the_first_probe() -> None:
    poller = StatusPoller(lambda: EngineStatus("up"))
    assert "checking" in plain(poller.fragments())


def test_the_poller_redraws_only_on_change() -> None:
    answers = iter([EngineStatus("down"), EngineStatus("down"), EngineStatus("up", api_version="1.47")])
    redraws: list[int] = []
    poller = StatusPoller(lambda: next(answers), on_change=lambda: redraws.append(1))
    poller.update()
    poller.update()
    assert len(redraws) == 1
    poller.update()
    assert len(redraws) == 2 and poller.status.state == "up" and poller.first.is_set()
