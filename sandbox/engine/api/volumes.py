"""The volume routes: each one reads the request and makes one ``VolumeService`` call."""

from __future__ import annotations

from typing import Any

from sandbox.engine.http import Request, Response, Router, json_response
from sandbox.engine.volumes import VolumeService
from sandbox.errors import InvalidParameter, VolumeNotFound

LIST_FILTERS = ("dangling", "driver", "label", "name")
PRUNE_FILTERS = ("label", "all")


def _str_map(body: dict[str, Any], key: str) -> dict[str, str] | None:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise InvalidParameter(f"json: cannot unmarshal into Go struct field CreateOptions.{key} of type "
                               "map[string]string", key)
    return value


def register(router: Router, volumes: VolumeService) -> None:
    @router.post("/volumes/create")
    def create(req: Request) -> Response:
        body = req.json_object()
        name = body.get("Name") or None
        if name is not None and not isinstance(name, str):
            raise InvalidParameter("json: cannot unmarshal into Go struct field CreateOptions.Name of type "
                                   "string", "Name")
        driver = body.get("Driver") or "local"
        vol = volumes.create(name, driver=str(driver), labels=_str_map(body, "Labels"),
                             options=_str_map(body, "DriverOpts"))
        return json_response(vol, 201)

    @router.get("/volumes")
    def list_volumes(req: Request) -> dict[str, Any]:
        filters = req.query.filters()
        filters.validate(LIST_FILTERS)
        listed = volumes.list(filters.to_dict())
        # dockerd sends null, not [], when there is nothing to warn about.
        return {"Volumes": listed["Volumes"], "Warnings": listed["Warnings"] or None}

    @router.post("/volumes/prune")
    def prune(req: Request) -> dict[str, Any]:
        filters = req.query.filters()
        filters.validate(PRUNE_FILTERS)
        out = volumes.prune(filters.to_dict())
        return {"VolumesDeleted": out["VolumesDeleted"] or None, "SpaceReclaimed": out["SpaceReclaimed"]}

    @router.get("/volumes/{name}")
    def inspect(req: Request) -> dict[str, Any]:
        return volumes.inspect(req.params["name"])

    @router.delete("/volumes/{name}")
    def remove(req: Request) -> None:
        try:
            volumes.remove(req.params["name"], force=req.query.bool("force"))
        except VolumeNotFound:
            # `docker volume rm -f` of a missing volume succeeds, as with dockerd.
            if not req.query.bool("force"):
                raise
