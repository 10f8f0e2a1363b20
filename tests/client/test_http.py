import json

import pytest

from sandbox.client import Headers, Request
from sandbox.client._http import encode_filters, encode_query, quote_segment, with_query


def test_booleans_are_sent_as_the_cli_sends_them() -> None:
    assert encode_query({"all": True, "size": False, "limit": None, "n": 3}) == "all=1&size=0&n=3"


def test_query_values_are_percent_encoded() -> None:
    assert encode_query({"ps_args": "-o pid,comm"}) == "ps_args=-o%20pid%2Ccomm"


def test_with_query_leaves_a_bare_path_alone() -> None:
    assert with_query("/x", {"a": None}) == "/x"
    assert with_query("/x", {"a": "b"}) == "/x?a=b"


@pytest.mark.parametrize("given, expected", [
    ({"status": "running"}, {"status": {"running": True}}),
    ({"status": ["running", "paused"]}, {"status": {"running": True, "paused": True}}),
    ({"label": {"a=b": True}}, {"label": {"a=b": True}}),
])
def test_filters_use_the_map_form(given: dict, expected: dict) -> None:
    assert json.loads(encode_filters(given)) == expected


def test_no_filters_sends_nothing() -> None:
    assert encode_filters(None) is None
    assert encode_filters({}) is None


def test_image_names_keep_their_slashes_in_paths() -> None:
    assert quote_segment("library/busybox:latest") == "library/busybox:latest"
    assert quote_segment("a b") == "a%20b"


def test_headers_are_case_insensitive() -> None:
    h = Headers([("Api-Version", "1.41"), ("Content-Type", "x")])
    assert h["api-version"] == "1.41"
    assert h.get("CONTENT-TYPE") == "x"
    assert "Api-Version" in list(h)
    assert len(h) == 2


def test_request_splits_route_and_query() -> None:
    r = Request("GET", "/v1.41/containers/json?all=1&filters=%7B%7D")
    assert r.route == "/v1.41/containers/json"
    assert r.query == {"all": "1", "filters": "{}"}
