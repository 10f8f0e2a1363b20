"""``docker search``: find repositories.

A registry of our own is searched through its catalog (``GET /v2/_catalog``), matching the
term anywhere in a repository's name, with its tags if asked for. Docker Hub has no
catalog for the public; it is searched through its index's search API, as dockerd does.
The results have the fields of the engine's ``GET /images/search``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from sandbox.errors import RegistryError, RegistryProtocolError
from sandbox.images.registry.client import MAX_DOCUMENT, RegistryClient
from sandbox.images.registry.credentials import Auth, resolve_credential
from sandbox.images.registry.names import DOCKER_HUB_INDEX, Registry, registry_for
from sandbox.images.registry.transport import HttpTransport, Transport


@dataclass
class SearchResult:
    name: str
    description: str = ""
    star_count: int = 0
    is_official: bool = False
    is_automated: bool = False
    tags: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """As the engine answers ``GET /images/search``."""
        return {"name": self.name, "description": self.description, "star_count": self.star_count,
                "is_official": self.is_official, "is_automated": self.is_automated}


def split_term(term: str, insecure: Iterable[str] = ()) -> tuple[Registry, str]:
    """``127.0.0.1:5000/bus`` → (that registry, ``bus``); ``busybox`` → (Docker Hub, ``busybox``)."""
    first, sep, rest = term.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost"):
        return registry_for(first, insecure), rest
    return registry_for(None), term


def search(term: str, *, auth: Auth = None, transport: Transport | None = None, limit: int = 25,
           with_tags: bool = False, insecure: Iterable[str] = ()) -> list[SearchResult]:
    registry, words = split_term(term.strip(), insecure)
    credential = resolve_credential(auth, registry)
    if registry.is_docker_hub:
        return _hub_search(words, limit, transport)
    with RegistryClient(registry, credential, transport) as client:
        names = [n for n in client.catalog() if words.lower() in n.lower()][:max(limit, 0)]
        return [SearchResult(name=f"{registry.name}/{n}", tags=sorted(client.tags(n)) if with_tags else [])
                for n in names]


def _hub_search(term: str, limit: int, transport: Transport | None) -> list[SearchResult]:
    own = transport is None
    t: Transport = transport if transport is not None else HttpTransport()
    url = f"https://{DOCKER_HUB_INDEX}/v1/search?" + urlencode({"q": term, "n": str(limit)})
    try:
        with t.request("GET", url, {"Accept": "application/json"}) as resp:
            body = resp.read(MAX_DOCUMENT)
            if resp.status != 200:
                raise RegistryError(DOCKER_HUB_INDEX, f"search {term!r}: {resp.status} {resp.reason}", resp.status)
    finally:
        if own and isinstance(t, HttpTransport):
            t.close()
    try:
        results = json.loads(body)["results"]
    except (ValueError, KeyError, TypeError) as e:
        raise RegistryProtocolError(DOCKER_HUB_INDEX, f"search {term!r}: unexpected answer: {e}") from e
    out = []
    for r in results[:max(limit, 0)] if isinstance(results, list) else []:
        if isinstance(r, dict) and r.get("name"):
            out.append(SearchResult(name=str(r["name"]), description=str(r.get("description") or ""),
                                    star_count=int(r.get("star_count") or 0),
                                    is_official=bool(r.get("is_official")),
                                    is_automated=bool(r.get("is_automated"))))
    return out
