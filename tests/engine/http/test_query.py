"""Query strings the way dockerd reads them: booleans, integers, filters."""

from __future__ import annotations

import pytest

from sandbox.engine.http import Filters, Query
from sandbox.errors import InvalidParameter


@pytest.mark.parametrize("value, expected", [
    ("1", True), ("True", True), ("true", True), ("yes", True), ("anything", True),
    ("", False), ("0", False), ("no", False), ("False", False), ("FALSE", False), ("none", False),
    ("None", False),
])
def test_dockerd_boolean_rule(value: str, expected: bool) -> None:
    assert Query.parse(f"all={value}").bool("all") is expected


def test_absent_boolean_takes_the_default() -> None:
    q = Query.parse("other=1")
    assert q.bool("all") is False and q.bool("all", default=True) is True


def test_integers() -> None:
    q = Query.parse("t=3&tail=all&empty=")
    assert q.int("t") == 3 and q.int("missing", 10) == 10 and q.int("empty", 5) == 5
    with pytest.raises(InvalidParameter, match="tail"):
        q.int("tail")


def test_repeated_values() -> None:
    q = Query.parse("op=a&op=b")
    assert q.get("op") == "a" and q.get_all("op") == ["a", "b"] and "op" in q and "x" not in q


def test_filters_map_and_list_forms() -> None:
    new = Filters.parse('{"status":{"running":true,"exited":false},"name":{"web":true}}')
    old = Filters.parse('{"status":["running"],"name":["web"]}')
    for f in (new, old):
        assert f.values("status") == ["running"] and f.values("name") == ["web"]
        assert f.exact_match("status", "running") and not f.exact_match("status", "paused")
        assert f.exact_match("label", "anything")  # a key not filtered on matches all
    assert not Filters.parse(None) and not Filters.parse("")


@pytest.mark.parametrize("text", ["{", "[]", '{"status": 3}', '{"status": [1]}', '"x"'])
def test_bad_filters_are_400(text: str) -> None:
    with pytest.raises(InvalidParameter):
        Filters.parse(text)


def test_filter_helpers() -> None:
    f = Filters.parse('{"container":["ab"],"label":["a","b=2"],"dangling":["true"]}')
    assert f.fuzzy_match("container", "abcdef") and not f.fuzzy_match("container", "xabc")
    assert f.match_labels({"a": "1", "b": "2"}) and not f.match_labels({"a": "1", "b": "3"})
    assert not f.match_labels(None)
    assert f.bool_value("dangling") is True and f.bool_value("missing") is None
    with pytest.raises(InvalidParameter, match="invalid filter 'dangling=maybe'"):
        Filters.parse('{"dangling":["maybe"]}').bool_value("dangling")
    f.validate(["container", "label", "dangling", "other"])
    with pytest.raises(InvalidParameter, match="invalid filter 'nope'"):
        Filters.parse('{"nope":["x"]}').validate(["a"])
