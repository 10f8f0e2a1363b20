"""``docker exec``: create an instance, start it (hijacked), inspect it, resize its terminal.

Order at the end of a session matters: the CLI reads ``GET /exec/{id}/json`` once, right
after the stream closes, for the exit code. So the route waits for the exit code
(``session.finish``) after the output has ended and before it lets the connection close.
"""

from __future__ import annotations

import asyncio
import os
import socket
from typing import TYPE_CHECKING, Any

from sandbox.engine.api.streamio import read_fd, write_fd
from sandbox.engine.http import (
    MULTIPLEXED,
    RAW_STREAM,
    STDERR,
    STDOUT,
    Hijacked,
    HijackResponse,
    Request,
    Response,
    Router,
    json_response,
)
from sandbox.errors import InvalidParameter

if TYPE_CHECKING:
    from sandbox.engine.containers import ContainerService, ExecSession


def _start_options(body: dict[str, Any]) -> tuple[bool, bool | None]:
    """(Detach, Tty) of an ExecStartConfig; a field of the wrong type is a 400."""
    out: list[Any] = []
    for name in ("Detach", "Tty"):
        value = body.get(name)
        if value is not None and not isinstance(value, bool):
            raise InvalidParameter(f"ExecStartConfig.{name} must be a boolean, not {type(value).__name__}", name)
        out.append(value)
    return bool(out[0]), out[1]


async def _copy_out(h: Hijacked, fd: int, stream: int) -> None:
    os.set_blocking(fd, False)
    while data := await read_fd(fd):
        await h.write_frame(stream, data)


async def _copy_in(h: Hijacked, session: ExecSession) -> None:
    """The client's bytes to the process; its half-close ends the process's input."""
    loop = asyncio.get_running_loop()
    if session.stdin is not None:
        sock: socket.socket = session.stdin
        sock.setblocking(False)
        while data := await h.reader.read(65536):
            await loop.sock_sendall(sock, data)
        try:
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the process is gone and its end closed
    elif session.pty_master is not None:
        while data := await h.reader.read(65536):
            await write_fd(session.pty_master, data)


async def pump_exec(h: Hijacked, session: ExecSession) -> None:
    wants_input = bool(session.instance.config.get("AttachStdin"))
    feeder = asyncio.create_task(_copy_in(h, session)) if wants_input else None
    try:
        if session.tty and session.pty_master is not None:
            os.set_blocking(session.pty_master, False)
            await _copy_out(h, session.pty_master, STDOUT)
        else:
            outs = [(fd, stream) for fd, stream in ((session.stdout, STDOUT), (session.stderr, STDERR))
                    if fd is not None]
            await asyncio.gather(*(_copy_out(h, fd, stream) for fd, stream in outs))
        await asyncio.to_thread(session.finish)
    finally:
        if feeder is not None:
            feeder.cancel()
            await asyncio.gather(feeder, return_exceptions=True)
        session.close()


def _failure(message: str) -> Any:
    async def handler(h: Hijacked) -> None:
        await h.write_frame(STDOUT, message.encode() + b"\r\n")

    return handler


def register(router: Router, containers: ContainerService) -> None:
    @router.post("/containers/{id}/exec")
    def create(req: Request) -> Response:
        return json_response(containers.exec_create(req.params["id"], req.json_object()), 201)

    @router.post("/exec/{id}/start")
    def start(req: Request) -> Response | HijackResponse:
        detach, _tty = _start_options(req.json_object())
        # The instance's own Tty decides the framing, as in dockerd; the body's Tty only
        # tells the client how to read the stream.
        exec_id = req.params["id"]
        try:
            session = containers.exec_start(exec_id, detach=detach)
        except InvalidParameter as e:
            if detach:
                raise
            # The process could not be started (no such command, unknown user). dockerd
            # says so inside the upgraded stream and the CLI exits with the instance's exit
            # code; a plain 400 would only give "unable to upgrade to tcp".
            tty = bool(containers.exec_inspect(exec_id)["ProcessConfig"]["tty"])
            return HijackResponse(_failure(e.message), RAW_STREAM if tty else MULTIPLEXED)
        if detach:
            session.close()
            return Response(200)

        async def handler(h: Hijacked) -> None:
            await pump_exec(h, session)

        return HijackResponse(handler, RAW_STREAM if session.tty else MULTIPLEXED)

    @router.get("/exec/{id}/json")
    def inspect(req: Request) -> dict[str, Any]:
        return containers.exec_inspect(req.params["id"])

    @router.post("/exec/{id}/resize")
    def resize(req: Request) -> Response:
        h, w = req.query.int("h", 0), req.query.int("w", 0)
        assert h is not None and w is not None
        containers.exec_resize(req.params["id"], h, w)
        return Response(200)
