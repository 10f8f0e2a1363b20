"""The image routes: each one reads the request and makes one ``ImageService`` call."""

from __future__ import annotations

from typing import Any

from sandbox.engine.http import Request, Response, Router, StreamResponse, in_thread, ndjson
from sandbox.engine.images_service import ImageService
from sandbox.errors import InvalidParameter


def register(router: Router, images: ImageService) -> None:
    @router.get("/images/json")
    def list_images(req: Request) -> list[dict[str, Any]]:
        return images.list(req.query.filters())

    @router.post("/images/create")
    async def pull(req: Request) -> StreamResponse:
        if req.query.get("fromSrc"):
            raise InvalidParameter("importing an image (fromSrc) is not supported yet", "fromSrc")
        ref = images.pull_reference(req.query.get("fromImage", ""), req.query.get("tag"))
        return ndjson(in_thread(images.pull_stored(ref)))

    @router.post("/images/prune")
    def prune(req: Request) -> dict[str, Any]:
        return images.prune(req.query.filters())

    @router.get("/images/{name:path}/json")
    def inspect(req: Request) -> dict[str, Any]:
        return images.inspect(req.params["name"])

    @router.get("/images/{name:path}/history")
    def history(req: Request) -> list[dict[str, Any]]:
        return images.history(req.params["name"])

    @router.post("/images/{name:path}/tag")
    def tag(req: Request) -> Response:
        images.tag(req.params["name"], req.query.get("repo"), req.query.get("tag"))
        return Response(201)

    @router.delete("/images/{name:path}")
    def remove(req: Request) -> list[dict[str, str]]:
        return images.remove(req.params["name"], force=req.query.bool("force"),
                             prune=not req.query.bool("noprune"))
