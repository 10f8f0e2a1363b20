"""The wire vocabulary shared by the client and its transports: requests, responses, queries.

A transport turns a ``Request`` into a ``Response`` (or, for attach and exec, a hijacked
socket). Everything Docker-specific — versions, errors, JSON — lives above it in the client.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable
from urllib.parse import quote, urlencode

QueryValue = str | int | float | bool | None


class Headers(Mapping[str, str]):
    """Case-insensitive, read-only header map (HTTP field names are case-insensitive)."""

    def __init__(self, items: Iterable[tuple[str, str]] | Mapping[str, str] = ()) -> None:
        pairs = items.items() if isinstance(items, Mapping) else items
        self._items: dict[str, tuple[str, str]] = {}
        for key, value in pairs:
            self._items[key.lower()] = (key, value)

    def __getitem__(self, key: str) -> str:
        return self._items[key.lower()][1]

    def __iter__(self) -> Iterator[str]:
        return (original for original, _ in self._items.values())

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"Headers({dict(self.items())!r})"


@dataclass(frozen=True)
class Request:
    """One HTTP request; ``path`` already carries the version prefix and the query string."""

    method: str
    path: str
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes | None = None

    @property
    def route(self) -> str:
        """The path without its query string."""
        return self.path.split("?", 1)[0]

    @property
    def query(self) -> dict[str, str]:
        from urllib.parse import parse_qsl

        return dict(parse_qsl(self.path.split("?", 1)[1], keep_blank_values=True)) if "?" in self.path else {}

    def json(self) -> object:
        return json.loads(self.body) if self.body else None


@runtime_checkable
class Response(Protocol):
    """A response whose body is read on demand, so streams (events, logs -f) work."""

    status: int
    reason: str
    headers: Headers

    def read(self, amt: int | None = None) -> bytes:
        """Up to ``amt`` bytes (all the rest with None); blocks until that many or the end."""

    def read1(self, amt: int = -1) -> bytes:
        """Whatever is available now (at least one byte unless at the end)."""

    def readline(self) -> bytes:
        """One line including its newline, or b"" at the end."""

    def close(self) -> None:
        """Drop the rest of the body; the transport decides whether the connection is reused."""


def encode_query(params: Mapping[str, QueryValue]) -> str:
    """Docker's query conventions: booleans as ``1``/``0`` (the CLI's form), None left out."""
    pairs: list[tuple[str, str]] = []
    for key, value in params.items():
        if value is None:
            continue
        if isinstance(value, bool):
            pairs.append((key, "1" if value else "0"))
        else:
            pairs.append((key, str(value)))
    return urlencode(pairs, quote_via=quote)


def encode_filters(filters: Mapping[str, object] | None) -> str | None:
    """Filters in the map form dockerd and our engine parse: ``{"status": {"running": true}}``.

    Accepts ``{"status": "running"}``, ``{"status": ["running", "paused"]}`` or the map form.
    """
    if not filters:
        return None
    out: dict[str, dict[str, bool]] = {}
    for key, value in filters.items():
        if isinstance(value, Mapping):
            out[key] = {str(k): bool(v) for k, v in value.items()}
        elif isinstance(value, (list, tuple, set)):
            out[key] = {str(v): True for v in value}
        else:
            out[key] = {str(value): True}
    return json.dumps(out, separators=(",", ":"))


def with_query(path: str, params: Mapping[str, QueryValue]) -> str:
    query = encode_query(params)
    return f"{path}?{query}" if query else path


def quote_segment(segment: str) -> str:
    """A name in a path. Slashes stay as they are, as the docker client sends them: image
    names hold them (``library/busybox``) and servers route ``/images/{name:.*}/json``."""
    return quote(segment, safe="/:@")
