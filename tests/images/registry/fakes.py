"""An in-process transport: a table of handlers instead of the network.

``FakeTransport().route("GET", "https://host/v2/x/manifests/latest", handler)``; a handler
gets the ``Request`` and returns ``reply(status, body, headers)``. Every request is
recorded, so tests can assert what was sent where (and with which Authorization).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sandbox.images.registry.transport import Body, Response, lower_headers
from sandbox.storage.digest import sha256_bytes


@dataclass
class Request:
    method: str
    url: str
    headers: dict[str, str]
    body: bytes

    @property
    def path(self) -> str:
        return urlsplit(self.url).path

    @property
    def host(self) -> str:
        return urlsplit(self.url).netloc

    @property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.url).query)

    @property
    def authorization(self) -> str | None:
        return self.headers.get("authorization")


Handler = Callable[[Request], Response]


def reply(status: int = 200, body: bytes | dict[str, Any] | list[Any] = b"",
          headers: Mapping[str, str] | None = None, url: str = "") -> Response:
    data = json.dumps(body).encode() if isinstance(body, (dict, list)) else body
    hdrs = {"Content-Length": str(len(data)), **(headers or {})}
    return Response(status=status, reason={200: "OK", 401: "Unauthorized", 404: "Not Found"}.get(status, ""),
                    headers=lower_headers(hdrs), body=io.BytesIO(data), url=url)


@dataclass
class FakeTransport:
    routes: dict[tuple[str, str], Handler] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)

    def route(self, method: str, url: str, handler: Handler | Response) -> FakeTransport:
        """``url`` without its query string; a Response is returned as is every time (its
        body re-readable)."""
        if isinstance(handler, Response):
            fixed = handler
            data = fixed.body.read()

            def handler(_: Request) -> Response:  # type: ignore[misc]
                return Response(fixed.status, fixed.reason, dict(fixed.headers), io.BytesIO(data), fixed.url)

        self.routes[(method, url)] = handler  # type: ignore[assignment]
        return self

    def request(self, method: str, url: str, headers: Mapping[str, str], body: Body = None) -> Response:
        data = body if isinstance(body, bytes) else (body.read() if body is not None else b"")
        req = Request(method, url, lower_headers(dict(headers)), data)
        self.requests.append(req)
        base = url.split("?", 1)[0]
        handler = self.routes.get((method, base))
        if handler is None:
            return reply(404, {"errors": [{"code": "NOT_FOUND", "message": f"no fake route {method} {base}"}]})
        return handler(req)

    def sent(self, method: str | None = None, host: str | None = None) -> list[Request]:
        return [r for r in self.requests if (method is None or r.method == method)
                and (host is None or r.host == host)]


def blob_reply(data: bytes, content_type: str = "application/octet-stream") -> Response:
    return reply(200, data, {"Content-Type": content_type, "Docker-Content-Digest": sha256_bytes(data)})
