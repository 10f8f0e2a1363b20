"""Routes: a method, a path pattern with ``{params}``, and a handler.

Patterns name their parameters in braces: ``/containers/{id}/start``. A parameter matches
one path segment, or any number with ``{name:path}`` (image names have slashes:
``/images/{name:path}/json``). The first route registered that matches wins.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from sandbox.engine.http.version import API_VERSION, check_version, split_version
from sandbox.errors import MethodNotAllowed, RouteNotFound

if TYPE_CHECKING:
    from sandbox.engine.http.request import Request

Handler = Callable[["Request"], Any] | Callable[["Request"], Awaitable[Any]]

_PARAM = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::(path))?\}")


def compile_pattern(pattern: str) -> re.Pattern[str]:
    if not pattern.startswith("/"):
        raise ValueError(f"a route pattern starts with /: {pattern!r}")
    out, pos = [], 0
    for m in _PARAM.finditer(pattern):
        out.append(re.escape(pattern[pos:m.start()]))
        out.append(f"(?P<{m.group(1)}>.+)" if m.group(2) else f"(?P<{m.group(1)}>[^/]+)")
        pos = m.end()
    out.append(re.escape(pattern[pos:]))
    return re.compile("^" + "".join(out) + "$")


@dataclass(frozen=True)
class Route:
    method: str
    pattern: str
    handler: Handler
    regex: re.Pattern[str]
    stream_body: bool = False
    """The handler reads the body itself (``req.chunks()``); it must be async."""
    max_body: int | None = None
    """Overrides the server's body limit for this route."""


@dataclass(frozen=True)
class Match:
    route: Route
    params: dict[str, str]
    path: str
    api_version: str


class Router:
    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(self, method: str, pattern: str, handler: Handler, *, stream_body: bool = False,
            max_body: int | None = None) -> Route:
        route = Route(method.upper(), pattern, handler, compile_pattern(pattern), stream_body, max_body)
        self.routes.append(route)
        return route

    def route(self, method: str, pattern: str, **opts: Any) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.add(method, pattern, handler, **opts)
            return handler

        return register

    def get(self, pattern: str, **opts: Any) -> Callable[[Handler], Handler]:
        return self.route("GET", pattern, **opts)

    def head(self, pattern: str, **opts: Any) -> Callable[[Handler], Handler]:
        return self.route("HEAD", pattern, **opts)

    def post(self, pattern: str, **opts: Any) -> Callable[[Handler], Handler]:
        return self.route("POST", pattern, **opts)

    def put(self, pattern: str, **opts: Any) -> Callable[[Handler], Handler]:
        return self.route("PUT", pattern, **opts)

    def delete(self, pattern: str, **opts: Any) -> Callable[[Handler], Handler]:
        return self.route("DELETE", pattern, **opts)

    def resolve(self, method: str, raw_path: str) -> Match:
        """The route for a request path (query removed, still percent-encoded).

        Raises InvalidParameter for an API version out of range, RouteNotFound (404) and
        MethodNotAllowed (405) when the path is known under other methods."""
        version, rest = split_version(raw_path)
        path = unquote(rest)
        allowed: list[str] = []
        for route in self.routes:
            m = route.regex.match(path)
            if m is None:
                continue
            if route.method == method:
                # As in dockerd, the version is checked only for a path that exists.
                if version is not None:
                    check_version(version)
                return Match(route, m.groupdict(), path, version or API_VERSION)
            if route.method not in allowed:
                allowed.append(route.method)
        if allowed:
            raise MethodNotAllowed(method, path, allowed)
        raise RouteNotFound(path)
