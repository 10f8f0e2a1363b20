"""Images as tar files over the API: ``docker save`` (GET /images/get, GET
/images/{name}/get), ``docker load`` (POST /images/load) and ``docker import`` (POST
/images/create?fromSrc=-, answered here for the image routes).

Uploaded archives are read to the end into a temporary file before the work starts;
``save`` streams its tar as it is written, after every name has been resolved (a missing
one is a 404, not a broken tar).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sandbox.engine.http import Request, Response, Router, StreamResponse, ndjson
from sandbox.engine.http.response import dump_json
from sandbox.engine.imaging.archives import ImageArchives
from sandbox.engine.imaging.bridge import ChunkWriter, after_first, callback_stream, spool_body
from sandbox.errors import InvalidParameter

TAR = "application/x-tar"


async def import_image(req: Request, archives: ImageArchives) -> StreamResponse:
    """``POST /images/create?fromSrc=-&repo=&tag=&message=&changes=``: the body is the tarball."""
    source = req.query.get("fromSrc")
    if source != "-":
        raise InvalidParameter(f"importing from {source!r} is not supported: only from the request body",
                               "fromSrc", "download the tarball, then `docker import FILE`")
    q = req.query
    body = await spool_body(req, Path(archives.store.root))

    def work(emit: Any) -> None:
        with body:
            image = archives.import_(body, q.get("repo") or None, q.get("tag") or None, q.get("message") or "",
                                     q.get_all("changes"))
        emit({"status": image.id})

    return ndjson(await after_first(callback_stream(work, "import"), 1))


def register(router: Router, archives: ImageArchives) -> None:
    async def save(names: list[str]) -> StreamResponse:
        def work(emit: Any) -> None:
            out = ChunkWriter(emit)
            archives.save(names, out)  # type: ignore[arg-type]
            out.close()

        chunks = await after_first(callback_stream(work, "save"), 1)
        return StreamResponse(chunks, content_type=TAR)

    @router.get("/images/get")
    async def save_many(req: Request) -> StreamResponse:
        return await save([n for n in req.query.get_all("names") if n])

    @router.get("/images/{name:path}/get")
    async def save_one(req: Request) -> StreamResponse:
        return await save([req.params["name"]])

    @router.post("/images/load", stream_body=True)
    async def load(req: Request) -> Response:
        body = await spool_body(req, Path(archives.store.root))

        def work(emit: Any) -> None:
            with body:
                for line in archives.load(body):
                    emit(line)

        lines = [line async for line in callback_stream(work, "load")]
        # One JSON message per line, as dockerd answers (the CLI prints each "stream").
        data = b"".join(dump_json({"stream": line + "\n"}) for line in lines)
        return Response(200, data, "application/json")
