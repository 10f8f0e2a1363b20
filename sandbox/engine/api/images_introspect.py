"""``GET /sandbox/images/{name}/layers[?path=P]``: an image's layers as a stack for the
layers picture (size, instruction, digest and files of each, bottom first) and, with
``path``, which layer that path comes from."""

from __future__ import annotations

from typing import Any

from sandbox.engine.http import Request, Router
from sandbox.engine.images_service import ImageService
from sandbox.engine.imaging.layer_files import LayerFiles


def register(router: Router, images: ImageService, files: LayerFiles) -> None:
    @router.get("/sandbox/images/{name:path}/layers")
    def layers(req: Request) -> dict[str, Any]:
        return files.stack(images.resolve(req.params["name"]), req.query.get("path") or None)
