"""What each picture reads from the engine: one or two API calls, passed on as answered.

A 404 from a ``/sandbox/…`` endpoint means the engine does not draw that picture (a
plain dockerd, or an older engine); a 404 naming the object means there is no such
container or network. Both become NothingToShow with a hint that says which.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from sandbox.errors import EngineError, NothingToShow


def _seg(value: str) -> str:
    return quote(value, safe="")


@dataclass
class LayersData:
    image: dict[str, Any]
    history: list[dict[str, Any]]
    name: str
    container: dict[str, Any] | None = None
    changes: list[dict[str, Any]] = field(default_factory=list)


def _sandbox_endpoint(client: Any, topic: str, path: str, name: str) -> dict[str, Any]:
    try:
        return client.call_json("GET", path) or {}
    except EngineError as err:
        if err.status == 404 and ("page not found" in err.message or "not found: GET" in err.message):
            raise NothingToShow(topic, "this engine does not serve that picture",
                                "`show` needs the sandbox engine (`sudo sandbox up`); a plain dockerd has "
                                "no /sandbox endpoints") from err
        if err.status == 404:
            raise NothingToShow(topic, f"no such {'network' if topic == 'net' else 'container'}: {name}",
                                "list them with `docker ps -a`" if topic != "net" else None) from err
        if err.status == 409:
            raise NothingToShow(topic, err.message, f"start it first: `docker start {name}`") from err
        raise


def layers(client: Any, name: str) -> LayersData:
    """An image, or a container and its image (with its changes: the upper layer)."""
    container = None
    try:
        container = client.containers.inspect(name)
    except EngineError as err:
        if err.status != 404:
            raise
    if container is not None:
        image_ref = str(container.get("Image") or "")
        changes = client.containers.changes(name) or []
        return LayersData(client.images.inspect(image_ref), client.images.history(image_ref),
                          str((container.get("Config") or {}).get("Image") or image_ref), container, changes)
    try:
        return LayersData(client.images.inspect(name), client.images.history(name), name)
    except EngineError as err:
        if err.status == 404:
            raise NothingToShow("layers", f"no image or container named {name}",
                                "list images with `docker images`, containers with `docker ps -a`") from err
        raise


def namespaces(client: Any, name: str) -> dict[str, Any]:
    return _sandbox_endpoint(client, "ns", f"/sandbox/containers/{_seg(name)}/namespaces", name)


def cgroup(client: Any, name: str) -> dict[str, Any]:
    try:
        return _sandbox_endpoint(client, "cgroups", f"/sandbox/containers/{_seg(name)}/cgroup", name)
    except NothingToShow as nothing:
        if not isinstance(nothing.__cause__, EngineError) or nothing.__cause__.status != 409:
            raise
        # It stopped, and its cgroup went with it: say how it ended when that is the story.
        state = (client.containers.inspect(name).get("State") or {})
        if state.get("OOMKilled"):
            raise NothingToShow("cgroups", f"{name} was OOM-killed (exit code {state.get('ExitCode')}): the kernel "
                                "killed its main process at its memory limit, and its cgroup went with it",
                                f"see the limit with `docker inspect -f '{{{{.HostConfig.Memory}}}}' {name}`; "
                                f"run it again with a larger -m") from nothing.__cause__
        raise


def topology(client: Any, name: str) -> dict[str, Any]:
    return _sandbox_endpoint(client, "net", f"/sandbox/networks/{_seg(name)}/topology", name)


def latest_container(client: Any) -> str | None:
    """The most recently created container, running or not."""
    found = client.containers.list(all=True, limit=1)
    if not found:
        return None
    names = found[0].get("Names") or []
    return names[0].lstrip("/") if names else str(found[0].get("Id") or "") or None
