"""The engine's HTTP/1.1 server, hand-rolled on asyncio for what the Docker API needs:
chunked request bodies, replies whose headers go out before the body is known, NDJSON
streams, and connections hijacked for attach and exec.

Writing a route
---------------
A route translates HTTP into one service call. Register it on a ``Router`` inside a
``register(router, service)`` function, and add the group with ``app.include``::

    def register(router: Router, containers: ContainerService) -> None:
        @router.post("/containers/{id}/start")
        def start(req: Request) -> None:
            containers.start(req.params["id"], detach_keys=req.query.get("detachKeys"))

    app.include(register, containers)

The handler signature is ``handler(req: Request) -> result``:

- ``def`` handlers run in a thread pool (blocking service calls are fine); ``async def``
  handlers run on the loop (streams, hijack, anything that awaits).
- ``req.params`` holds the path parameters (``{id}``; ``{name:path}`` may contain ``/``),
  ``req.query`` the query string (``.get``, ``.bool`` with dockerd's rule, ``.int``,
  ``.filters()``), ``req.headers``, ``req.body`` / ``req.json()`` / ``req.json_object()``,
  and ``req.api_version`` (``/v1.41/…`` gives ``"1.41"``).
- Return a ``dict`` or ``list`` (200 JSON), ``None`` (204), a ``Response``
  (``json_response(obj, 201)``, ``no_content(304)``, ``text_response``), a
  ``StreamResponse`` / ``ndjson(async_iterable)`` (headers flushed at once, chunked body:
  events, progress, ``/wait``), or a ``HijackResponse(handler, media_type)`` whose async
  ``handler(hijacked)`` gets the raw connection after the 101 (``hijacked.reader``,
  ``hijacked.write_frame(STDOUT, data)``, ``hijacked.close_write()``).
- Raise a ``SandboxError``: its class gives the status (``status.DEFAULTS``: not found
  404, conflict 409, bad input 400, anything else 500; add classes with
  ``app.errors.register(cls, status)``) and the client gets ``{"message": …}``.
- Register with ``stream_body=True`` to read a large body as it arrives
  (``async for chunk in req.chunks()``), ``max_body=N`` to change the size limit.

``sandbox.engine.http.testing.TestClient`` runs an ``App`` in memory (or on a unix
socket) for tests.
"""

from __future__ import annotations

from sandbox.engine.http.app import App
from sandbox.engine.http.filters import Filters
from sandbox.engine.http.frames import MULTIPLEXED, RAW_STREAM, STDERR, STDIN, STDOUT, frame
from sandbox.engine.http.parser import Limits
from sandbox.engine.http.request import Headers, Query, Request
from sandbox.engine.http.response import (
    JSON,
    Hijacked,
    HijackResponse,
    Response,
    StreamResponse,
    in_thread,
    json_response,
    ndjson,
    no_content,
    progress_error,
    text_response,
)
from sandbox.engine.http.router import Router
from sandbox.engine.http.server import Server
from sandbox.engine.http.version import API_VERSION, MIN_API_VERSION

__all__ = [
    "API_VERSION",
    "JSON",
    "MIN_API_VERSION",
    "MULTIPLEXED",
    "RAW_STREAM",
    "STDERR",
    "STDIN",
    "STDOUT",
    "App",
    "Filters",
    "Headers",
    "HijackResponse",
    "Hijacked",
    "Limits",
    "Query",
    "Request",
    "Response",
    "Router",
    "Server",
    "StreamResponse",
    "frame",
    "in_thread",
    "json_response",
    "ndjson",
    "no_content",
    "progress_error",
    "text_response",
]
