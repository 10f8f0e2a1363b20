import pytest

from sandbox.client import API_VERSION, EngineClient, EngineError, MockResponse, MockRouter, MockTransport, negotiate


@pytest.mark.parametrize("ours, theirs, expected", [
    ("1.47", "1.41", "1.41"),
    ("1.47", "1.50", "1.47"),
    ("1.47", "1.47", "1.47"),
    ("1.47", "1.9", "1.9"),       # numeric, not lexical: 1.9 < 1.47
    ("1.47", None, "1.24"),       # no header: docker's fallback
    ("1.47", "", "1.24"),
])
def test_negotiate_picks_the_lower_version(ours: str, theirs: str | None, expected: str) -> None:
    assert negotiate(ours, theirs) == expected


def test_first_call_pings_then_uses_the_negotiated_prefix(client: EngineClient, router: MockRouter,
                                                          transport: MockTransport) -> None:
    router.add("GET", "/version", MockResponse.json({"Version": "x"}))
    assert client.version() == {"Version": "x"}
    assert [r.path for r in transport.requests] == ["/_ping", "/v1.45/version"]


def test_negotiation_happens_once(client: EngineClient, router: MockRouter, transport: MockTransport) -> None:
    router.add("GET", "/info", MockResponse.json({}))
    client.info()
    client.info()
    assert [r.path for r in transport.requests].count("/_ping") == 1


def test_newer_server_gets_our_maximum() -> None:
    router = MockRouter(api_version="1.99")
    transport = MockTransport(router)
    client = EngineClient(transport=transport)
    assert client.api_version == API_VERSION == "1.47"


def test_pinned_version_skips_the_ping() -> None:
    router = MockRouter()
    router.add("GET", "/info", MockResponse.json({"ID": "x"}))
    transport = MockTransport(router)
    client = EngineClient(transport=transport, version="1.41")
    client.info()
    assert [r.path for r in transport.requests] == ["/v1.41/info"]


def test_ping_reads_the_headers(client: EngineClient) -> None:
    ping = client.ping()
    assert ping.api_version == "1.45"
    assert ping.os_type == "linux"
    assert ping.experimental is False


def test_ping_error_with_version_header_still_negotiates() -> None:
    router = MockRouter()
    router.add("GET", "/_ping", MockResponse(500, b"down", {"Api-Version": "1.43"}))
    client = EngineClient(transport=MockTransport(router))
    assert client.api_version == "1.43"


def test_ping_error_without_version_header_raises() -> None:
    router = MockRouter()
    router.add("GET", "/_ping", MockResponse(500, b"down"))
    client = EngineClient(transport=MockTransport(router))
    with pytest.raises(EngineError) as info:
        client.ping()
    assert info.value.status == 500


def test_user_agent_is_sent(client: EngineClient, router: MockRouter, transport: MockTransport) -> None:
    router.add("GET", "/info", MockResponse.json({}))
    client.info()
    assert transport.requests[-1].headers["User-Agent"].startswith("sandbox-client/")
