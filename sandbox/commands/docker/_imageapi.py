"""The image calls the ``docker`` commands make beyond ``client.images``: build, push,
commit, save, load, import, login and search, with the registry credentials of the
user's config.json sent as docker sends them.

They go through ``EngineClient``'s public request methods, so they work against our
engine and a real dockerd alike. Request bodies are bytes: the contexts and archives of
lessons are small, and the client sends a body in one piece.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from sandbox.dockerconfig import ANONYMOUS_HEADER, DockerConfig, registry_of_image

if TYPE_CHECKING:
    from sandbox.client import JSONStream, Response

    from ._context import Context

Param = str | int | bool | None | Sequence[str]


def path_with(path: str, params: Mapping[str, Param]) -> str:
    """``path?query`` with docker's conventions: booleans as ``1``, None left out, and a
    list as the parameter repeated (``t=a&t=b``, ``changes=…&changes=…``), which the
    client's own query encoder does not do."""
    pairs: list[tuple[str, str]] = []
    for key, value in params.items():
        if value is None:
            continue
        if isinstance(value, bool):
            pairs.append((key, "1" if value else "0"))
        elif isinstance(value, (list, tuple)):
            pairs += [(key, str(v)) for v in value]
        else:
            pairs.append((key, str(value)))
    query = urlencode(pairs, quote_via=quote)
    return f"{path}?{query}" if query else path


def segment(name: str) -> str:
    """An image name in a path; its slashes stay (servers route ``/images/{name:.*}/…``)."""
    return quote(name, safe="/:@")


def config(ctx: Context) -> DockerConfig:
    """The user's config.json: ``$DOCKER_CONFIG`` or ``~/.docker`` of this invocation's env;
    a relative ``$DOCKER_CONFIG`` means the invocation's working directory, as it does for
    the docker CLI (which opens it relative to its own)."""
    env = ctx.env
    directory = env.get("DOCKER_CONFIG")
    if directory and not os.path.isabs(directory):
        env = {**env, "DOCKER_CONFIG": str(ctx.local_path(directory))}
    return DockerConfig.from_env(env)


def auth_header(ctx: Context, image: str) -> str:
    """``X-Registry-Auth`` for a pull or push of ``image``: the stored login of its
    registry, or ``{}`` (anonymous)."""
    key = registry_of_image(image)
    credential = config(ctx).get(key)
    return credential.to_x_registry_auth(key) if credential is not None else ANONYMOUS_HEADER


def pull(ctx: Context, from_image: str, tag: str | None, platform: str | None = None) -> JSONStream:
    params: dict[str, Param] = {"fromImage": from_image, "tag": tag, "platform": platform or None}
    return ctx.client.stream_json("POST", path_with("/images/create", params),
                                  headers={"X-Registry-Auth": auth_header(ctx, from_image)})


def push(ctx: Context, name: str, tag: str | None) -> JSONStream:
    return ctx.client.stream_json("POST", path_with(f"/images/{segment(name)}/push", {"tag": tag}),
                                  headers={"X-Registry-Auth": auth_header(ctx, name)})


def build(ctx: Context, context: bytes, params: Mapping[str, Param]) -> JSONStream:
    return ctx.client.stream_json("POST", path_with("/build", params), body=context,
                                  headers={"Content-Type": "application/x-tar"})


def commit(ctx: Context, params: Mapping[str, Param]) -> dict[str, Any]:
    # The body is the Config to merge (none: the container's own), sent as the CLI does.
    return ctx.client.call_json("POST", path_with("/commit", params), body=b"null",
                                headers={"Content-Type": "application/json"}) or {}


def save(ctx: Context, names: Sequence[str]) -> Response:
    return ctx.client.request("GET", path_with("/images/get", {"names": list(names)}))


def load(ctx: Context, data: bytes, quiet: bool) -> JSONStream:
    return ctx.client.stream_json("POST", path_with("/images/load", {"quiet": quiet or None}), body=data,
                                  headers={"Content-Type": "application/x-tar"})


def import_(ctx: Context, data: bytes, params: Mapping[str, Param]) -> JSONStream:
    return ctx.client.stream_json("POST", path_with("/images/create", {"fromSrc": "-", **params}), body=data,
                                  headers={"Content-Type": "application/x-tar"})


def login(ctx: Context, body: Mapping[str, str]) -> dict[str, Any]:
    return ctx.client.call_json("POST", "/auth", json_body=dict(body)) or {}


def search(ctx: Context, term: str, limit: int | None, filters: Mapping[str, object] | None) -> list[dict[str, Any]]:
    flt = json.dumps({k: {str(v): True} for k, v in filters.items()}, separators=(",", ":")) if filters else None
    params: dict[str, Param] = {"term": term, "limit": limit, "filters": flt}
    return ctx.client.call_json("GET", path_with("/images/search", params),
                                headers={"X-Registry-Auth": auth_header(ctx, term)}) or []
