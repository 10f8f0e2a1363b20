"""The container routes whose replies stream: wait, attach, logs, stats and export.

The blocking part of each (finding the container, registering a wait, connecting to the
shim) runs in the handler, on the server's thread pool, so errors still get their status
before any header is sent; what follows runs on the event loop.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

from sandbox.engine.api.streamio import Deframer, file_chunks, from_thread
from sandbox.engine.http import (
    MULTIPLEXED,
    RAW_STREAM,
    Hijacked,
    HijackResponse,
    Request,
    Router,
    StreamResponse,
    frame,
    ndjson,
)
from sandbox.engine.http.version import at_least
from sandbox.errors import InvalidParameter

if TYPE_CHECKING:
    from sandbox.engine.containers import Attachment, ContainerService

TAR = "application/x-tar"


async def _wait_body(fut: Future[dict[str, Any]]) -> AsyncIterator[bytes]:
    try:
        result = await asyncio.wrap_future(fut)
        yield json.dumps(result, separators=(",", ":")).encode() + b"\n"
    finally:
        fut.cancel()  # a no-op once done; frees the waiter if the client went away


async def pump_attach(h: Hijacked, att: Attachment, stdin: bool) -> None:
    """Replayed logs first, then the shim's frames until the container's output ends;
    the client's input goes to the shim, and its half-close ends the container's stdin."""
    loop = asyncio.get_running_loop()
    feeder: asyncio.Task[None] | None = None
    try:
        for stream, payload in att.replay:
            await h.write_frame(stream, payload)
        sock = att.sock
        if sock is None:
            return
        sock.setblocking(False)
        if stdin:
            feeder = asyncio.create_task(_feed_socket(h, sock))
        frames = Deframer()
        while data := await loop.sock_recv(sock, 65536):
            for stream, payload in frames.feed(data):
                await h.write_frame(stream, payload)
    finally:
        if feeder is not None:
            feeder.cancel()
            await asyncio.gather(feeder, return_exceptions=True)
        att.close()


async def _feed_socket(h: Hijacked, sock: socket.socket) -> None:
    loop = asyncio.get_running_loop()
    while data := await h.reader.read(65536):
        await loop.sock_sendall(sock, data)
    try:
        sock.shutdown(socket.SHUT_WR)
    except OSError:
        pass  # the shim has gone already: the container ended


def _log_bytes(items: AsyncIterator[tuple[int, bytes, str]], tty: bool) -> AsyncIterator[bytes]:
    async def chunks() -> AsyncIterator[bytes]:
        async for stream, payload, _ in items:
            yield payload if tty else frame(stream, payload)

    return chunks()


def register(router: Router, containers: ContainerService) -> None:
    @router.post("/containers/{id}/wait")
    def wait(req: Request) -> StreamResponse:
        # Registered before the headers go out: `docker run` sends /start once it has them.
        fut = containers.wait_future(req.params["id"], req.query.get("condition") or None)
        return StreamResponse(_wait_body(fut))

    @router.post("/containers/{id}/attach")
    def attach(req: Request) -> HijackResponse:
        q = req.query
        stdin = q.bool("stdin")
        # Made before the 101: the client may send /start the moment it has the reply.
        att = containers.attach(req.params["id"], stdin=stdin, stdout=q.bool("stdout"), stderr=q.bool("stderr"),
                                stream=q.bool("stream"), logs=q.bool("logs"))

        async def handler(h: Hijacked) -> None:
            await pump_attach(h, att, stdin)

        return HijackResponse(handler, RAW_STREAM if att.tty else MULTIPLEXED)

    @router.get("/containers/{id}/logs")
    def logs(req: Request) -> StreamResponse:
        q = req.query
        ref = req.params["id"]
        stdout, stderr = q.bool("stdout"), q.bool("stderr")
        if not (stdout or stderr):
            raise InvalidParameter("Bad parameters: you must choose at least one stream", "stdout",
                                   "ask for stdout=1 and/or stderr=1")
        tty = bool(containers.inspect(ref)["Config"].get("Tty"))
        items = containers.logs(ref, follow=q.bool("follow"), stdout=stdout, stderr=stderr,
                                since=q.get("since") or None, until=q.get("until") or None,
                                timestamps=q.bool("timestamps"), tail=q.get("tail"))
        # As dockerd since API 1.42: say which of the two framings the body uses.
        media = MULTIPLEXED if not tty and at_least(req.api_version, "1.42") else RAW_STREAM
        return StreamResponse(_log_bytes(from_thread(items, f"logs-{ref[:12]}"), tty), content_type=media)

    @router.get("/containers/{id}/stats")
    def stats(req: Request) -> dict[str, Any] | StreamResponse:
        ref = req.params["id"]
        stream = req.query.bool("stream", True)
        samples = containers.stats(ref, stream=stream, one_shot=req.query.bool("one-shot"))
        if not stream:
            try:
                return next(samples)
            finally:
                samples.close()  # type: ignore[attr-defined]
        return ndjson(from_thread(samples, f"stats-{ref[:12]}", window=2))

    @router.get("/containers/{id}/export")
    def export(req: Request) -> StreamResponse:
        return StreamResponse(file_chunks(containers.export(req.params["id"])), content_type=TAR)
