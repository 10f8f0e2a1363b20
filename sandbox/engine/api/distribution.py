"""Registry routes: ``docker push`` (POST /images/{name}/push), ``docker login``
(POST /auth) and ``docker search`` (GET /images/search). Pull is ``POST /images/create``,
with the other image routes.

Credentials come from the client on every call (``X-Registry-Auth``); the engine keeps
none, as dockerd keeps none.
"""

from __future__ import annotations

from typing import Any

from sandbox.engine.http import Request, Router, StreamResponse, ndjson
from sandbox.engine.imaging.bridge import after_first, callback_stream
from sandbox.engine.imaging.distribution import Distribution
from sandbox.errors import CredentialsError, InvalidParameter
from sandbox.images.registry import Credential

SEARCH_FILTERS = ("is-official", "is-automated", "stars")


def registry_auth(req: Request) -> Credential | None:
    """The ``X-Registry-Auth`` header; a malformed one is the client's mistake (400)."""
    try:
        return Credential.from_x_registry_auth(req.headers.get("X-Registry-Auth"))
    except CredentialsError as e:
        raise InvalidParameter(f"invalid X-Registry-Auth header: {e.problem}", "X-Registry-Auth") from None


def _search_filter(req: Request) -> Any:
    flt = req.query.filters()
    flt.validate(SEARCH_FILTERS)
    official = flt.bool_value("is-official")
    automated = flt.bool_value("is-automated")
    stars = [int(v) for v in flt.values("stars") if v.isdigit()]

    def keep(doc: dict[str, Any]) -> bool:
        return ((official is None or doc["is_official"] == official)
                and (automated is None or doc["is_automated"] == automated)
                and all(doc["star_count"] >= s for s in stars))

    return keep


def register(router: Router, distribution: Distribution) -> None:
    @router.post("/images/{name:path}/push")
    async def push(req: Request) -> StreamResponse:
        name, tag, auth = req.params["name"], req.query.get("tag") or None, registry_auth(req)
        stream = callback_stream(lambda emit: distribution.push(name, tag, emit, auth), "push")
        # A tag that is not stored is a 404, as from dockerd: nothing has been sent yet.
        return ndjson(await after_first(stream, 1))

    @router.post("/auth")
    def login(req: Request) -> dict[str, str]:
        return distribution.login(req.json_object())

    @router.get("/images/search")
    def search(req: Request) -> list[dict[str, Any]]:
        return distribution.search(req.query.get("term") or "", req.query.int("limit"), registry_auth(req),
                                   _search_filter(req))
