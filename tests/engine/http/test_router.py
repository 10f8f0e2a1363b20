"""Routing: path parameters, the /v1.NN prefix, 404 and 405."""

from __future__ import annotations

import pytest

from sandbox.engine.http import Router
from sandbox.engine.http.router import compile_pattern
from sandbox.engine.http.testing import TestClient
from sandbox.engine.http.version import API_VERSION, check_version, split_version, version_tuple
from sandbox.errors import InvalidParameter, MethodNotAllowed, RouteNotFound


def test_patterns() -> None:
    rx = compile_pattern("/containers/{id}/start")
    assert rx.match("/containers/abc/start").groupdict() == {"id": "abc"}
    assert rx.match("/containers/a/b/start") is None
    rx = compile_pattern("/images/{name:path}/json")
    assert rx.match("/images/localhost:5000/me/app:v1/json").group("name") == "localhost:5000/me/app:v1"
    assert rx.match("/images/json") is None
    with pytest.raises(ValueError):
        compile_pattern("no-slash")


def test_resolve() -> None:
    router = Router()
    router.add("GET", "/containers/{id}/json", lambda req: None)
    router.add("DELETE", "/containers/{id}", lambda req: None)
    m = router.resolve("GET", "/v1.41/containers/web/json")
    assert m.params == {"id": "web"} and m.api_version == "1.41" and m.path == "/containers/web/json"
    assert router.resolve("GET", "/containers/web/json").api_version == API_VERSION
    assert router.resolve("GET", "/containers/a%20b/json").params == {"id": "a b"}
    with pytest.raises(RouteNotFound):
        router.resolve("GET", "/nothing/here")
    with pytest.raises(MethodNotAllowed) as e:
        router.resolve("POST", "/containers/web")
    assert e.value.allowed == ["DELETE"]


def test_versions() -> None:
    assert split_version("/v1.41/info") == ("1.41", "/info")
    assert split_version("/info") == (None, "/info")
    assert split_version("/v1.41") == (None, "/v1.41")
    assert version_tuple("1.9") < version_tuple("1.24") < version_tuple("1.47")
    assert check_version("1.24") == "1.24" and check_version("1.47") == "1.47"
    with pytest.raises(InvalidParameter, match="client version 1.50 is too new. Maximum supported API "
                                               "version is 1.47"):
        check_version("1.50")
    with pytest.raises(InvalidParameter, match="client version 1.23 is too old. Minimum supported API "
                                               "version is 1.24"):
        check_version("1.23")
    with pytest.raises(InvalidParameter):
        check_version("1..2")


def test_version_prefix_over_http(client: TestClient) -> None:
    assert client.get("/v1.41/echo/hi").json()["version"] == "1.41"
    assert client.get("/echo/hi").json()["version"] == API_VERSION
    too_new = client.get("/v1.50/echo/hi")
    assert too_new.status == 400
    assert too_new.json()["message"] == "client version 1.50 is too new. Maximum supported API version is 1.47"
    # The CLI reads Api-Version from errors too, to negotiate down.
    assert too_new.headers.get("Api-Version") == API_VERSION
    assert client.get("/v1.12/echo/hi").status == 400


def test_unknown_path_is_dockerds_404(client: TestClient) -> None:
    r = client.get("/v1.41/no/such/thing")
    assert r.status == 404 and r.json() == {"message": "page not found"}
    assert r.headers.get("Content-Type") == "application/json"


def test_wrong_method_is_405_with_allow(client: TestClient) -> None:
    r = client.delete("/echo/hi")
    assert r.status == 405 and r.headers.get("Allow") == "GET"
    assert "not allowed" in r.json()["message"]


def test_path_params_and_query(client: TestClient) -> None:
    body = client.get("/echo/w%20x", query={"a": "1", "all": "True"}).json()
    assert body == {"word": "w x", "version": API_VERSION, "all": True, "query": {"a": "1", "b": None}}
    # As in dockerd, the path is matched decoded: an encoded slash is a slash.
    assert client.get("/echo/w%2Fx").status == 404
    assert client.get("/images/docker.io/library/busybox:latest/json").json() == {
        "name": "docker.io/library/busybox:latest"}
