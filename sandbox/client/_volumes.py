"""``client.volumes``: create, list, inspect, remove and prune volumes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from ._http import QueryValue, encode_filters, quote_segment

if TYPE_CHECKING:
    from ._client import EngineClient, JSONObject


class VolumesAPI:
    def __init__(self, client: "EngineClient") -> None:
        self._c = client

    def create(self, name: str | None = None, *, driver: str = "local", labels: Mapping[str, str] | None = None,
               driver_opts: Mapping[str, str] | None = None) -> "JSONObject":
        """The new (or, for an existing name, the same) volume. docker leaves empty maps out."""
        body: dict[str, object] = {"Driver": driver}
        if driver_opts:
            body["DriverOpts"] = dict(driver_opts)
        if labels:
            body["Labels"] = dict(labels)
        if name:
            body["Name"] = name
        return self._c.call_json("POST", "/volumes/create", json_body=body)

    def list(self, *, filters: Mapping[str, object] | None = None) -> "JSONObject":
        """``{"Volumes": [...], "Warnings": [...] | None}`` as the engine sends it."""
        doc = self._c.call_json("GET", "/volumes", params={"filters": encode_filters(filters)}) or {}
        return {"Volumes": doc.get("Volumes") or [], "Warnings": doc.get("Warnings")}

    def inspect(self, name: str) -> "JSONObject":
        return self._c.call_json("GET", f"/volumes/{quote_segment(name)}")

    def remove(self, name: str, *, force: bool = False) -> None:
        params: dict[str, QueryValue] = {"force": force or None}
        self._c.call("DELETE", f"/volumes/{quote_segment(name)}", params=params)

    def prune(self, *, filters: Mapping[str, object] | None = None) -> "JSONObject":
        """``{"VolumesDeleted": [...], "SpaceReclaimed": n}``; ``all=true`` takes named ones too."""
        return self._c.call_json("POST", "/volumes/prune", params={"filters": encode_filters(filters)}) or {}
