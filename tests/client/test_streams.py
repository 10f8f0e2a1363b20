import pytest

from sandbox.client import EngineClient, EngineProtocolError, MockResponse, MockRouter, Stream, encode_frame


def test_events_parse_ndjson_split_anywhere(client: EngineClient, router: MockRouter) -> None:
    body = b'{"Type":"container","Action":"start"}\n{"Type":"image","Action":"tag"}\n'
    chunks = [body[:10], body[10:41], body[41:]]
    router.add("GET", "/events", MockResponse(200, iter(chunks)))
    with client.events() as stream:
        assert [e["Action"] for e in stream] == ["start", "tag"]


def test_concatenated_json_without_newlines(client: EngineClient, router: MockRouter) -> None:
    router.add("GET", "/events", MockResponse(200, [b'{"a":1}{"a":2}  {"a":', b"3}"]))
    assert [e["a"] for e in client.events()] == [1, 2, 3]


def test_truncated_json_at_the_end_is_an_error(client: EngineClient, router: MockRouter) -> None:
    router.add("GET", "/events", MockResponse(200, [b'{"a":1}\n{"a":']))
    stream = client.events()
    assert next(stream) == {"a": 1}
    with pytest.raises(EngineProtocolError):
        next(stream)


def test_utf8_split_across_chunks(client: EngineClient, router: MockRouter) -> None:
    text = '{"name":"café"}'.encode()
    router.add("GET", "/events", MockResponse(200, [text[:13], text[13:]]))
    assert list(client.events()) == [{"name": "café"}]


def test_events_query(client: EngineClient, router: MockRouter, transport) -> None:
    router.add("GET", "/events", MockResponse(200, b""))
    list(client.events(since=100, until=200.5, filters={"container": "web"}))
    query = transport.requests[-1].query
    assert query["since"] == "100"
    assert query["until"] == "200.5"
    assert query["filters"] == '{"container":{"web":true}}'


def test_logs_are_demultiplexed_without_tty(client: EngineClient, router: MockRouter) -> None:
    body = encode_frame(1, b"out\n") + encode_frame(2, b"err\n")
    router.add("GET", "/containers/c/logs", MockResponse(200, [body[:3], body[3:]]))
    assert list(client.containers.logs("c", tty=False)) == [(Stream.STDOUT, b"out\n"), (Stream.STDERR, b"err\n")]


def test_logs_of_a_tty_container_are_raw(client: EngineClient, router: MockRouter) -> None:
    router.add("GET", "/containers/c/logs", MockResponse(200, [b"\x01raw bytes"]))
    assert b"".join(d for _, d in client.containers.logs("c", tty=True)) == b"\x01raw bytes"


def test_logs_ask_the_container_about_its_tty(client: EngineClient, router: MockRouter, transport) -> None:
    router.add("GET", "/containers/c/json", MockResponse.json({"Config": {"Tty": True}}))
    router.add("GET", "/containers/c/logs", MockResponse(200, [b"plain"]))
    assert list(client.containers.logs("c", follow=True, tail=5, timestamps=True)) == [(Stream.STDOUT, b"plain")]
    assert transport.routes()[-2:] == ["GET /containers/c/json", "GET /containers/c/logs"]
    assert transport.requests[-1].query == {"follow": "1", "stdout": "1", "stderr": "1", "timestamps": "1",
                                            "tail": "5"}


def test_closing_a_stream_early_stops_it(client: EngineClient, router: MockRouter) -> None:
    router.add("GET", "/events", MockResponse(200, (b'{"n":%d}\n' % i for i in range(1000))))
    stream = client.events()
    assert next(stream) == {"n": 0}
    stream.close()
    assert list(stream) == []
