"""What a route sees: the request's method, path, parameters, query, headers and body."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from sandbox.engine.http.filters import Filters
from sandbox.errors import InvalidParameter

if TYPE_CHECKING:
    from sandbox.engine.http.parser import BodyReader

_FALSE = frozenset({"", "0", "no", "false", "none"})


class Headers:
    """Header fields in arrival order, looked up case-insensitively."""

    def __init__(self, items: Iterable[tuple[str, str]] = ()) -> None:
        self._items: list[tuple[str, str]] = list(items)

    def get(self, name: str, default: str | None = None) -> str | None:
        lower = name.lower()
        for key, value in self._items:
            if key.lower() == lower:
                return value
        return default

    def get_all(self, name: str) -> list[str]:
        lower = name.lower()
        return [v for k, v in self._items if k.lower() == lower]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.get(name) is not None

    def items(self) -> list[tuple[str, str]]:
        return list(self._items)

    def __repr__(self) -> str:
        return f"Headers({self._items!r})"


class Query:
    """The query string, read with dockerd's rules (booleans, integers, ``filters``)."""

    def __init__(self, values: dict[str, list[str]] | None = None) -> None:
        self._values = values or {}

    @classmethod
    def parse(cls, text: str) -> Query:
        return cls(parse_qs(text, keep_blank_values=True))

    def get(self, name: str, default: str | None = None) -> str | None:
        values = self._values.get(name)
        return values[0] if values else default

    def get_all(self, name: str) -> list[str]:
        return list(self._values.get(name, []))

    def __contains__(self, name: object) -> bool:
        return name in self._values

    def bool(self, name: str, default: bool = False) -> bool:
        """dockerd's rule: present and not ""/0/no/false/none (any case) is true. The CLI
        sends ``1``, the SDK ``True``/``False``."""
        value = self.get(name)
        if value is None:
            return default
        return value.strip().lower() not in _FALSE

    def int(self, name: str, default: int | None = None) -> int | None:
        value = self.get(name)
        if value is None or value == "":
            return default
        try:
            return int(value)
        except ValueError:
            raise InvalidParameter(f"invalid value for {name}: {value!r} is not an integer", name) from None

    def filters(self, name: str = "filters") -> Filters:
        return Filters.parse(self.get(name))

    def __repr__(self) -> str:
        return f"Query({self._values!r})"


@dataclass
class Request:
    method: str
    path: str
    """Percent-decoded, without the ``/v1.NN`` prefix."""
    target: str
    """The request target as sent (prefix and query included)."""
    api_version: str
    query: Query = field(default_factory=Query)
    headers: Headers = field(default_factory=Headers)
    params: dict[str, str] = field(default_factory=dict)
    """Path parameters: ``/containers/{id}/start`` gives ``params["id"]``."""
    body: bytes = b""
    """The whole body, for routes that do not stream theirs."""
    http_version: str = "HTTP/1.1"
    stream: BodyReader | None = None
    """The body as it arrives, for routes registered with ``stream_body=True``."""

    def json(self, default: Any = None) -> Any:
        """The body parsed as JSON; ``default`` for an empty body, 400 for a bad one."""
        if not self.body.strip():
            return default
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError) as e:
            raise InvalidParameter(f"invalid JSON in the request body: {e}",
                                   hint="send a JSON object with Content-Type: application/json") from None

    def json_object(self) -> dict[str, Any]:
        """The body as a JSON object (``{}`` when empty); 400 for any other JSON value."""
        value = self.json(default={})
        if not isinstance(value, dict):
            raise InvalidParameter(f"the request body must be a JSON object, not {type(value).__name__}")
        return value

    def chunks(self) -> AsyncIterator[bytes]:
        """The streamed body, chunk by chunk (``stream_body=True`` routes only)."""
        if self.stream is None:
            raise RuntimeError("this route was not registered with stream_body=True")
        return self.stream.chunks()

    @property
    def wants_upgrade(self) -> bool:
        return "Upgrade" in self.headers
