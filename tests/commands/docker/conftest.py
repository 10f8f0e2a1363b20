"""Run our docker grammar in-process against canned engine answers."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest

from sandbox.client import EngineClient, MockRouter, MockTransport
from sandbox.commands.docker import main
from tests.client.daemons import DAEMON_PARAMS, Daemon, shared_daemon


@dataclass
class Result:
    code: int
    out: str
    err: str


class Docker:
    def __init__(self) -> None:
        self.router = MockRouter(api_version="1.47")
        self.transport = MockTransport(self.router)
        self.client = EngineClient(transport=self.transport)

    def __call__(self, *argv: str, stdin: str = "") -> Result:
        out, err = io.StringIO(), io.StringIO()
        code = main(list(argv), client=self.client, stdout=out, stderr=err, stdin=io.StringIO(stdin),
                     env={"TZ": "UTC"})
        return Result(code, out.getvalue(), err.getvalue())

    def routes(self) -> list[str]:
        """The API calls made, without the ping."""
        return [r for r in self.transport.routes() if r != "GET /_ping"]


@pytest.fixture
def docker() -> Docker:
    d = Docker()
    yield d
    d.client.close()
    d.transport.close()


NOW = 1795627460.0
"""The fixed "now" of every test here (2026-11-25 17:24:20 UTC)."""


@pytest.fixture(autouse=True)
def utc_and_frozen_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    from sandbox.commands.render import clock

    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    monkeypatch.setattr(clock, "now", lambda: NOW)


@pytest.fixture(scope="session", params=DAEMON_PARAMS)
def daemon(request: pytest.FixtureRequest) -> Daemon:
    """A real engine (dockerd today) with a busybox image, for the whole session."""
    return shared_daemon(request.param, request)
