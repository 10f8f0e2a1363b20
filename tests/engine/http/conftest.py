"""A small app whose routes exercise the HTTP core alone (no engine services)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from sandbox.engine.http import (
    RAW_STREAM,
    STDOUT,
    App,
    Hijacked,
    HijackResponse,
    Request,
    Response,
    StreamResponse,
    json_response,
    ndjson,
)
from sandbox.engine.http.frames import STDERR, read_frame
from sandbox.engine.http.testing import TestClient
from sandbox.errors import ContainerExists, ContainerNotFound, InvalidParameter, SandboxError, StateError


class Gate:
    """Lets a test hold a streamed reply's body until it has seen the headers."""

    def __init__(self) -> None:
        self.event: asyncio.Event | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.closed = False
        self.greeted = threading.Event()
        """Set once the ``/greet`` stream's first frame has been written."""

    def open(self) -> None:
        assert self.loop is not None and self.event is not None
        self.loop.call_soon_threadsafe(self.event.set)


def make_app(gate: Gate) -> App:
    app = App()
    r = app.router

    @r.get("/echo/{word}")
    def echo(req: Request) -> dict:
        return {"word": req.params["word"], "version": req.api_version, "all": req.query.bool("all"),
                "query": {k: req.query.get(k) for k in ("a", "b")}}

    @r.get("/images/{name:path}/json")
    def image(req: Request) -> dict:
        return {"name": req.params["name"]}

    @r.post("/body")
    def body(req: Request) -> dict:
        return {"length": len(req.body), "json": req.json()}

    @r.post("/object")
    def obj(req: Request) -> dict:
        return req.json_object()

    @r.post("/upload", stream_body=True)
    async def upload(req: Request) -> dict:
        total, chunks = 0, 0
        async for chunk in req.chunks():
            total += len(chunk)
            chunks += 1
        return {"length": total}

    @r.post("/small", max_body=10)
    def small(req: Request) -> dict:
        return {"length": len(req.body)}

    @r.post("/created")
    def created(req: Request) -> Response:
        return json_response({"Id": "abc"}, 201)

    @r.post("/nothing")
    def nothing(req: Request) -> None:
        return None

    @r.post("/not-modified")
    def not_modified(req: Request) -> Response:
        return Response(304)

    @r.get("/missing")
    def missing(req: Request) -> None:
        raise ContainerNotFound("web")

    @r.get("/conflict")
    def conflict(req: Request) -> None:
        raise ContainerExists("web")

    @r.get("/state")
    def state(req: Request) -> None:
        raise StateError("web", "start", "paused")

    @r.get("/bad")
    def bad(req: Request) -> None:
        raise InvalidParameter("bad value for x", "x", "use a number")

    @r.get("/plain-error")
    def plain_error(req: Request) -> None:
        raise SandboxError("something broke")

    @r.get("/crash")
    def crash(req: Request) -> None:
        raise ZeroDivisionError("division by zero")

    @r.get("/wrong-type")
    def wrong_type(req: Request) -> object:
        return 42

    @r.post("/wait")
    async def wait(req: Request) -> StreamResponse:
        """Like /containers/{id}/wait: headers now, body when the gate opens."""
        gate.loop = asyncio.get_running_loop()
        gate.event = asyncio.Event()

        async def body() -> AsyncIterator[dict]:
            try:
                await gate.event.wait()
                yield {"StatusCode": 3}
            finally:
                gate.closed = True

        return ndjson(body())

    @r.get("/count")
    async def count(req: Request) -> StreamResponse:
        n = req.query.int("n", 3) or 0

        async def body() -> AsyncIterator[dict]:
            for i in range(n):
                yield {"i": i}

        return ndjson(body())

    @r.get("/stream-error")
    async def stream_error(req: Request) -> StreamResponse:
        async def body() -> AsyncIterator[dict]:
            yield {"status": "one"}
            raise SandboxError("it went wrong")

        return ndjson(body())

    @r.post("/attach")
    async def attach(req: Request) -> HijackResponse:
        """Echo stdin back as stdout frames, then one stderr frame, then end."""
        tty = req.query.bool("tty")

        async def run(h: Hijacked) -> None:
            data = await h.reader.read()
            await h.write_frame(STDOUT, data.upper())
            await h.write_frame(STDERR, b"done")
            h.close_write()

        return HijackResponse(run, RAW_STREAM if tty else "application/vnd.docker.multiplexed-stream")

    @r.post("/greet")
    async def greet(req: Request) -> HijackResponse:
        """Output at once, like a container that was running before the attach."""

        async def run(h: Hijacked) -> None:
            await h.write_frame(STDOUT, b"hi")
            gate.greeted.set()

        return HijackResponse(run, "application/vnd.docker.multiplexed-stream")

    return app


@pytest.fixture
def gate() -> Gate:
    return Gate()


@pytest.fixture
def client(gate: Gate) -> Iterator[TestClient]:
    with TestClient(make_app(gate)) as c:
        yield c


@pytest.fixture
def socket_client(tmp_path: Path, gate: Gate) -> Iterator[TestClient]:
    with TestClient(make_app(gate), socket=tmp_path / "api.sock") as c:
        yield c


__all__ = ["Gate", "make_app", "read_frame"]
