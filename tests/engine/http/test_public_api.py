"""The http package's public names (what the container routes build on) stay put."""

from __future__ import annotations

import sandbox.engine.http as http
from sandbox.engine.http import App, Request, Response
from sandbox.engine.http.testing import TestClient


def test_exported_names() -> None:
    assert sorted(http.__all__) == sorted([
        "API_VERSION", "JSON", "MIN_API_VERSION", "MULTIPLEXED", "RAW_STREAM", "STDERR", "STDIN", "STDOUT",
        "App", "Filters", "Headers", "HijackResponse", "Hijacked", "Limits", "Query", "Request", "Response",
        "Router", "Server", "StreamResponse", "frame", "in_thread", "json_response", "ndjson", "no_content",
        "progress_error", "text_response"])
    for name in http.__all__:
        assert getattr(http, name) is not None


def test_include_adds_a_group_and_handlers_may_be_objects() -> None:
    class Service:
        def greet(self, who: str) -> str:
            return f"hello {who}"

    class AsyncHandler:
        async def __call__(self, req: Request) -> Response:
            return Response(200, b"async", "text/plain")

    def register(router: http.Router, svc: Service) -> None:
        @router.get("/greet/{who}")
        def greet(req: Request) -> dict:
            return {"text": svc.greet(req.params["who"])}

        router.add("GET", "/object", AsyncHandler())

    app = App()
    app.include(register, Service())
    with TestClient(app) as client:
        assert client.get("/v1.44/greet/you").json() == {"text": "hello you"}
        assert client.get("/object").text == "async"


def test_sync_generators_are_driven_from_the_pool() -> None:
    import threading

    seen: list[str] = []

    def produce() -> object:
        for i in range(3):
            seen.append(threading.current_thread().name)
            yield {"n": i}

    app = App()

    @app.router.get("/gen")
    async def gen(req: Request) -> http.StreamResponse:
        return http.ndjson(http.in_thread(produce()))

    with TestClient(app) as client:
        assert client.get("/gen").body.splitlines() == [b'{"n":0}', b'{"n":1}', b'{"n":2}']
    assert seen and all(name != "test-engine" for name in seen)  # never on the loop's thread
