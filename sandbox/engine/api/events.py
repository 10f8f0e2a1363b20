"""``/events`` (Docker's event stream) and ``/sandbox/trace`` (the runtime's records)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar

from sandbox.engine.events import EventBus, Subscription, TraceBus, parse_time
from sandbox.engine.http import Request, Router, StreamResponse, ndjson
from sandbox.errors import InvalidParameter

T = TypeVar("T")


async def _follow(sub: Subscription[T], deadline: float | None, convert: Callable[[T], Any]) -> AsyncIterator[Any]:
    try:
        async for item in sub.items(deadline):
            yield convert(item)
    finally:
        sub.close()


def register(router: Router, events: EventBus, trace: TraceBus) -> None:
    @router.get("/events")
    async def stream_events(req: Request) -> StreamResponse:
        since = parse_time(req.query.get("since"), "since")
        until = parse_time(req.query.get("until"), "until")
        if since is not None and until is not None and until < since:
            raise InvalidParameter(f"`since` time ({req.query.get('since')}) cannot be after "
                                   f"`until` time ({req.query.get('until')})", "until")
        sub = events.subscribe_events(since, until, req.query.filters())
        # ``until`` in the past: replay and end; in the future: follow until then.
        deadline = None if until is None else time.monotonic() + (until - time.time_ns()) / 1e9
        return ndjson(_follow(sub, deadline, lambda ev: ev.to_docker()))

    @router.get("/sandbox/trace")
    async def stream_trace(req: Request) -> StreamResponse:
        flt = req.query.filters()
        flt.validate(("op",))
        sub = trace.subscribe_records(req.query.int("tail", 0) or 0, flt.values("op") + req.query.get_all("op"))
        return ndjson(_follow(sub, None, lambda rec: rec.to_json().encode() + b"\n"))
