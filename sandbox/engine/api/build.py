"""``POST /build``: the legacy builder's endpoint (the CLI with DOCKER_BUILDKIT=0, the SDK).

The body is the context as a tar stream. It is read to the end first (into a temporary
file on the store's file system), then the 200 goes out and the build runs in a thread of
its own, its lines streamed as NDJSON. From then on every error is an event of the stream.
If the client goes away, the build's next line stops it, and it cleans up after itself.
"""

from __future__ import annotations

import base64
import binascii
import json
from pathlib import Path
from typing import Any

from sandbox.engine.http import Request, Router, StreamResponse, ndjson
from sandbox.engine.imaging.bridge import callback_stream, spool_body
from sandbox.engine.imaging.builds import BuildOptions, BuildService, Emit
from sandbox.errors import InvalidParameter
from sandbox.images.registry import Credential


def _json_map(req: Request, name: str) -> dict[str, str]:
    """``buildargs`` and ``labels``: a JSON object of strings (a null value is an ARG
    declared without one, which the build then takes from its default)."""
    text = req.query.get(name)
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        raise InvalidParameter(f"invalid {name} {text!r}: not JSON", name, 'send {"KEY":"VALUE"}') from None
    if not isinstance(value, dict):
        raise InvalidParameter(f"invalid {name}: must be a JSON object", name)
    return {str(k): "" if v is None else str(v) for k, v in value.items()}


def registry_config(header: str | None) -> dict[str, Credential]:
    """``X-Registry-Config``: base64url JSON ``{"host": {"username", "password"}}``."""
    if not header:
        return {}
    padded = header.strip() + "=" * (-len(header.strip()) % 4)
    try:
        doc = json.loads(base64.urlsafe_b64decode(padded))
    except (ValueError, binascii.Error):
        raise InvalidParameter("X-Registry-Config is not base64-encoded JSON", "X-Registry-Config") from None
    if not isinstance(doc, dict):
        raise InvalidParameter("X-Registry-Config must hold a JSON object", "X-Registry-Config")
    out = {}
    for host, entry in doc.items():
        if isinstance(entry, dict):
            cred = Credential(username=str(entry.get("username") or ""), password=str(entry.get("password") or ""),
                              identity_token=str(entry.get("identitytoken") or ""))
            if cred.has_password or cred.identity_token:
                out[str(host)] = cred
    return out


def build_options(req: Request) -> BuildOptions:
    q = req.query
    if q.get("version") == "2":
        raise InvalidParameter("BuildKit is not supported by this engine", "version",
                               "build with the legacy builder: DOCKER_BUILDKIT=0 docker build …")
    if q.get("remote"):
        raise InvalidParameter("building from a remote context (a URL or git repository) is not supported",
                               "remote", "clone or download it, then build from the directory")
    return BuildOptions(dockerfile=q.get("dockerfile") or "Dockerfile", tags=[t for t in q.get_all("t") if t],
                        buildargs=_json_map(req, "buildargs"), labels=_json_map(req, "labels"),
                        nocache=q.bool("nocache"), quiet=q.bool("q"), target=q.get("target") or None,
                        registry_auth=registry_config(req.headers.get("X-Registry-Config")))


def register(router: Router, builds: BuildService) -> None:
    @router.post("/build", stream_body=True)
    async def build(req: Request) -> StreamResponse:
        opts = build_options(req)
        context = await spool_body(req, Path(builds.store.root))

        def work(emit: Emit) -> None:
            # Closed by the thread that reads it, even if the client leaves first.
            with context:
                builds.build(context, opts, emit)

        return ndjson(callback_stream(work, "build"))

    @router.post("/build/prune")
    def prune(req: Request) -> dict[str, Any]:
        # The legacy builder's cache is the images' own intermediate states; nothing
        # separate to reclaim.
        return {"CachesDeleted": None, "SpaceReclaimed": 0}
