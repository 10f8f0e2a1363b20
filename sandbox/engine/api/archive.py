"""``docker cp``: ``HEAD``/``GET``/``PUT /containers/{id}/archive?path=``.

The stat of the path travels in the ``X-Docker-Container-Path-Stat`` header, base64 of its
JSON; the CLI reads it (with HEAD, or from the GET) to decide how to name what it copies.
"""

from __future__ import annotations

import asyncio
import base64
import json
import tempfile
from typing import TYPE_CHECKING, Any

from sandbox.engine.api.containers_streams import TAR
from sandbox.engine.api.streamio import file_chunks
from sandbox.engine.http import Request, Response, Router, StreamResponse
from sandbox.errors import InvalidParameter

if TYPE_CHECKING:
    from sandbox.engine.containers import ContainerService

STAT_HEADER = "X-Docker-Container-Path-Stat"
SPOOL = 8 << 20
"""An uploaded tar stays in memory up to this size, then goes to a temporary file."""


def stat_header(stat: dict[str, Any]) -> tuple[str, str]:
    return STAT_HEADER, base64.b64encode(json.dumps(stat, separators=(",", ":")).encode()).decode()


def _path(req: Request) -> str:
    path = req.query.get("path")
    if not path:
        raise InvalidParameter("the path query parameter is required", "path",
                               "say which path of the container, e.g. ?path=/etc/hostname")
    return path


def register(router: Router, containers: ContainerService) -> None:
    @router.head("/containers/{id}/archive")
    def stat(req: Request) -> Response:
        return Response(200, headers=[stat_header(containers.archive_stat(req.params["id"], _path(req)))])

    @router.get("/containers/{id}/archive")
    def get(req: Request) -> StreamResponse:
        info, tar = containers.archive_get(req.params["id"], _path(req))
        return StreamResponse(file_chunks(tar), content_type=TAR, headers=[stat_header(info)])

    @router.put("/containers/{id}/archive", stream_body=True)
    async def put(req: Request) -> Response:
        ref, path = req.params["id"], _path(req)
        no_overwrite = req.query.bool("noOverwriteDirNonDir")
        with tempfile.SpooledTemporaryFile(SPOOL) as spool:
            async for chunk in req.chunks():
                spool.write(chunk)
            spool.seek(0)
            await asyncio.to_thread(containers.archive_put, ref, path, spool, no_overwrite)
        return Response(200)
