"""The container routes: each one reads the request and makes one ``ContainerService`` call.

This module holds the plain request/reply routes (create, lifecycle, inspect, list, edit);
the streaming ones live beside it (``containers_streams``: wait, attach, logs, stats,
export; ``exec``; ``archive``; ``containers_introspect`` for the pictures). ``register``
adds them all::

    app.include(containers.register, service, runtime)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sandbox.engine.api import archive, containers_introspect, containers_streams, exec
from sandbox.engine.http import Request, Response, Router, json_response, no_content
from sandbox.errors import ContainerNotModified, InvalidParameter

if TYPE_CHECKING:
    from sandbox.engine.containers import ContainerService
    from sandbox.runtime.runtime import Runtime


def register(router: Router, containers: ContainerService, runtime: Runtime | None = None) -> None:
    """Every container and exec route; the ``/sandbox/containers`` pictures need ``runtime``."""
    register_plain(router, containers)
    containers_streams.register(router, containers)
    exec.register(router, containers)
    archive.register(router, containers)
    if runtime is not None:
        containers_introspect.register(router, containers, runtime)


def _not_modified(call: Any, *args: Any) -> Response | None:
    """dockerd answers 304 to starting a running container or stopping a stopped one; the
    CLI takes it as success."""
    try:
        call(*args)
    except ContainerNotModified:
        return no_content(304)
    return None


def size_query(req: Request, name: str) -> int:
    value = req.query.int(name, 0)
    assert value is not None
    return value


def register_plain(router: Router, containers: ContainerService) -> None:
    @router.get("/containers/json")
    def list_containers(req: Request) -> list[dict[str, Any]]:
        return containers.list(all=req.query.bool("all"), filters=req.query.filters(),
                               limit=req.query.int("limit"), size=req.query.bool("size"))

    @router.post("/containers/create")
    def create(req: Request) -> Response:
        body = req.json_object()
        result = containers.create(body, req.query.get("name") or None)
        return json_response({"Id": result["Id"], "Warnings": result.get("Warnings") or []}, 201)

    @router.post("/containers/prune")
    def prune(req: Request) -> dict[str, Any]:
        return containers.prune(req.query.filters())

    @router.get("/containers/{id}/json")
    def inspect(req: Request) -> dict[str, Any]:
        return containers.inspect(req.params["id"], size=req.query.bool("size"))

    @router.post("/containers/{id}/start")
    def start(req: Request) -> Response | None:
        return _not_modified(containers.start, req.params["id"])

    @router.post("/containers/{id}/stop")
    def stop(req: Request) -> Response | None:
        return _not_modified(containers.stop, req.params["id"], req.query.int("t"),
                             req.query.get("signal") or None)

    @router.post("/containers/{id}/restart")
    def restart(req: Request) -> None:
        containers.restart(req.params["id"], req.query.int("t"))

    @router.post("/containers/{id}/kill")
    def kill(req: Request) -> None:
        containers.kill(req.params["id"], req.query.get("signal") or "KILL")

    @router.post("/containers/{id}/pause")
    def pause(req: Request) -> None:
        containers.pause(req.params["id"])

    @router.post("/containers/{id}/unpause")
    def unpause(req: Request) -> None:
        containers.unpause(req.params["id"])

    @router.delete("/containers/{id}")
    def remove(req: Request) -> None:
        if req.query.bool("link"):
            raise InvalidParameter("container links are not supported", "link",
                                   "user-defined networks give containers each other's names")
        containers.remove(req.params["id"], force=req.query.bool("force"), volumes=req.query.bool("v"))

    @router.post("/containers/{id}/rename")
    def rename(req: Request) -> None:
        containers.rename(req.params["id"], req.query.get("name") or "")

    @router.post("/containers/{id}/update")
    def update(req: Request) -> dict[str, Any]:
        return containers.update(req.params["id"], req.json_object())

    @router.post("/containers/{id}/resize")
    def resize(req: Request) -> Response:
        containers.resize(req.params["id"], size_query(req, "h"), size_query(req, "w"))
        return Response(200)

    @router.get("/containers/{id}/top")
    def top(req: Request) -> dict[str, Any]:
        return containers.top(req.params["id"], req.query.get("ps_args") or None)

    @router.get("/containers/{id}/changes")
    def changes(req: Request) -> list[dict[str, Any]] | Response:
        found = containers.changes(req.params["id"])
        # dockerd sends null for a container that changed nothing.
        return found if found else json_response(None)
