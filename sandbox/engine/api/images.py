"""The image routes: each one reads the request and makes one ``ImageService`` call."""

from __future__ import annotations

from typing import Any

from sandbox.engine.api.archive_images import import_image
from sandbox.engine.api.distribution import registry_auth
from sandbox.engine.http import Request, Response, Router, StreamResponse, in_thread, ndjson
from sandbox.engine.images_service import ImageService
from sandbox.engine.imaging.archives import ImageArchives
from sandbox.engine.imaging.bridge import after_first, callback_stream
from sandbox.engine.imaging.distribution import Distribution
from sandbox.errors import InvalidParameter


def register(router: Router, images: ImageService, distribution: Distribution | None = None,
             archives: ImageArchives | None = None) -> None:
    """``distribution`` pulls from registries (without it only stored images "pull");
    ``archives`` imports tarballs."""
    @router.get("/images/json")
    def list_images(req: Request) -> list[dict[str, Any]]:
        return images.list(req.query.filters())

    @router.post("/images/create", stream_body=True)
    async def create(req: Request) -> StreamResponse:
        """Pull (``fromImage``) or import (``fromSrc=-``, the body is the tarball)."""
        if req.query.get("fromSrc"):
            if archives is None:
                raise InvalidParameter("importing an image (fromSrc) is not supported here", "fromSrc")
            return await import_image(req, archives)
        ref = images.pull_reference(req.query.get("fromImage", ""), req.query.get("tag"))
        if distribution is None:
            return ndjson(in_thread(images.pull_stored(ref)))
        auth, platform = registry_auth(req), req.query.get("platform") or None
        stream = callback_stream(lambda emit: distribution.pull(ref, emit, auth, platform), "pull")
        # Two messages in, the manifest has been fetched: a missing or protected repository
        # is still a status of its own (the CLI's `run` reads a 404 as "pull it").
        return ndjson(await after_first(stream, 2))

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
