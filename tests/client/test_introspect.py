"""client.sandbox: the engine's own /sandbox endpoints on the wire; a dockerd's 404 is an
EngineError."""

from __future__ import annotations

import pytest

from sandbox.client import EngineClient, EngineError, MockResponse, MockRouter, MockTransport

STACK = {"image": "sha256:" + "a" * 64, "tags": ["busybox:latest"],
         "layers": [{"index": 0, "digest": "sha256:" + "b" * 64, "size": 10, "instruction": "x", "files": ["bin"]}]}


def test_image_layers_quotes_the_name_and_sends_the_path(client: EngineClient, router: MockRouter,
                                                         transport: MockTransport) -> None:
    router.add("GET", r"/sandbox/images/.+/layers", MockResponse.json(STACK))
    assert client.sandbox.image_layers("localhost:5000/app:1")["layers"][0]["files"] == ["bin"]
    assert transport.requests[-1].route.endswith("/sandbox/images/localhost:5000/app:1/layers")
    assert transport.requests[-1].query == {}
    client.sandbox.image_layers("busybox", path="/etc/passwd")
    assert transport.requests[-1].query == {"path": "/etc/passwd"}


def test_container_and_network_pictures(client: EngineClient, router: MockRouter) -> None:
    router.add("GET", "/sandbox/containers/web/namespaces", MockResponse.json({"shared": ["user"]}))
    router.add("GET", "/sandbox/containers/web/cgroup", MockResponse.json({"mode": "v2"}))
    router.add("GET", "/sandbox/networks/bridge/topology", MockResponse.json({"bridge": "sandbox0"}))
    assert client.sandbox.namespaces("web") == {"shared": ["user"]}
    assert client.sandbox.cgroup("web") == {"mode": "v2"}
    assert client.sandbox.topology("bridge") == {"bridge": "sandbox0"}


def test_an_engine_without_them_says_404(client: EngineClient, router: MockRouter) -> None:
    router.add("GET", r"/sandbox/images/[^/]+/layers", MockResponse.error(404, "page not found"))
    with pytest.raises(EngineError) as info:
        client.sandbox.image_layers("busybox")
    assert info.value.status == 404
