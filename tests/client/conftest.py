"""A client wired to an in-process router: tests add canned routes and read what was sent."""

from __future__ import annotations

import pytest

from sandbox.client import EngineClient, MockRouter, MockTransport

from .daemons import DAEMON_PARAMS, Daemon, shared_daemon


@pytest.fixture
def router() -> MockRouter:
    return MockRouter(api_version="1.45")


@pytest.fixture
def transport(router: MockRouter) -> MockTransport:
    return MockTransport(router)


@pytest.fixture
def client(transport: MockTransport) -> EngineClient:
    c = EngineClient(transport=transport)
    yield c
    c.close()


@pytest.fixture(scope="session", params=DAEMON_PARAMS)
def daemon(request: pytest.FixtureRequest) -> Daemon:
    """A real engine (dockerd today) with a busybox image, for the whole session."""
    return shared_daemon(request.param, request)
