"""``client.images``: list, inspect, history, tag, remove, prune, and pull (images/create)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from sandbox.errors import EngineError

from ._http import QueryValue, encode_filters, quote_segment
from ._streams import JSONStream

if TYPE_CHECKING:
    from ._client import EngineClient, JSONObject

# base64 of "{}": no credentials, sent so registries that need the header get one.
_NO_AUTH = "e30="


class ImagesAPI:
    def __init__(self, client: "EngineClient") -> None:
        self._c = client

    def list(self, *, all: bool = False, filters: Mapping[str, object] | None = None,
             digests: bool = False) -> list["JSONObject"]:
        params: dict[str, QueryValue] = {"all": all or None, "filters": encode_filters(filters),
                                         "digests": digests or None}
        return self._c.call_json("GET", "/images/json", params=params) or []

    def inspect(self, name: str) -> "JSONObject":
        return self._c.call_json("GET", f"/images/{quote_segment(name)}/json")

    def history(self, name: str) -> list["JSONObject"]:
        return self._c.call_json("GET", f"/images/{quote_segment(name)}/history") or []

    def tag(self, name: str, repo: str, tag: str | None = None) -> None:
        self._c.call("POST", f"/images/{quote_segment(name)}/tag", params={"repo": repo, "tag": tag})

    def remove(self, name: str, *, force: bool = False, noprune: bool = False) -> list["JSONObject"]:
        """``[{"Untagged": ref} | {"Deleted": id}, …]`` in the order the engine did them."""
        params: dict[str, QueryValue] = {"force": force or None, "noprune": noprune or None}
        return self._c.call_json("DELETE", f"/images/{quote_segment(name)}", params=params) or []

    def prune(self, *, filters: Mapping[str, object] | None = None) -> "JSONObject":
        return self._c.call_json("POST", "/images/prune", params={"filters": encode_filters(filters)})

    def create(self, from_image: str, *, tag: str | None = None, platform: str | None = None) -> JSONStream:
        """``POST /images/create``: the progress stream of a pull, one JSON object per line.
        A failure arrives in the stream as ``{"error": …}``, not as an HTTP status."""
        params: dict[str, QueryValue] = {"fromImage": from_image, "tag": tag, "platform": platform}
        return self._c.stream_json("POST", "/images/create", params=params, headers={"X-Registry-Auth": _NO_AUTH})

    def pull(self, from_image: str, *, tag: str | None = None) -> list["JSONObject"]:
        """Pull and wait: the progress messages, or EngineError with the stream's error."""
        messages: list[JSONObject] = []
        with self.create(from_image, tag=tag) as stream:
            for message in stream:
                if "error" in message:
                    detail = message.get("errorDetail") or {}
                    raise EngineError(500, str(detail.get("message") or message["error"]))
                messages.append(message)
        return messages
