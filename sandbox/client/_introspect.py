"""``client.sandbox``: the engine's own ``/sandbox/…`` endpoints, which the pictures read —
an image's layer stack, a container's namespaces and cgroup, a network's topology. A real
dockerd has none of them: each call then fails with its ``EngineError`` (404)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._http import quote_segment

if TYPE_CHECKING:
    from ._client import EngineClient, JSONObject


class SandboxAPI:
    def __init__(self, client: EngineClient) -> None:
        self._c = client

    def image_layers(self, name: str, path: str | None = None) -> JSONObject:
        """``{"image", "tags", "layers": [{"index", "digest", "size", "instruction", "files"}],
        "path": {"path", "state", "layer", "shadowed"}}``, bottom layer first; ``path`` only
        when one was asked about."""
        return self._c.call_json("GET", f"/sandbox/images/{quote_segment(name)}/layers",
                                 params={"path": path}) or {}

    def namespaces(self, container: str) -> JSONObject:
        return self._c.call_json("GET", f"/sandbox/containers/{quote_segment(container)}/namespaces") or {}

    def cgroup(self, container: str) -> JSONObject:
        return self._c.call_json("GET", f"/sandbox/containers/{quote_segment(container)}/cgroup") or {}

    def topology(self, network: str) -> JSONObject:
        return self._c.call_json("GET", f"/sandbox/networks/{quote_segment(network)}/topology") or {}
