"""The Docker Engine API (v1.50), kept by hand: every endpoint, and where ours differs.

The compatibility table compares this list with the routes the engine really serves
(``docker_api``), so "implemented" is never written by hand; only the notes are. A note
says what differs from dockerd when the endpoint is served, or why it is not.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    """Docker's path with its parameters in braces: ``/containers/{id}/start``."""
    note: str = ""


@dataclass(frozen=True)
class Group:
    name: str
    endpoints: tuple[Endpoint, ...]
    planned: bool = True
    """False for what a single-host classroom engine will not do (Swarm, plugins)."""
    why: str = ""


E = Endpoint

GROUPS: tuple[Group, ...] = (
    Group("System", (
        E("HEAD", "/_ping"),
        E("GET", "/_ping"),
        E("GET", "/version"),
        E("GET", "/info", "The storage driver is `overlay` or `copy`; Swarm is always inactive."),
        E("GET", "/events", "The history is kept in a file under the state root, so `--since` works after a restart."),
        E("GET", "/system/df", "Volumes with their size and reference count; the build cache is empty."),
        E("POST", "/auth"),
    )),
    Group("Containers", (
        E("GET", "/containers/json", "Filters as dockerd reads them; `size=1` measures the read-write layer."),
        E("POST", "/containers/create", "Logging driver json-file only; links and devices are ignored with a warning; a network mode the engine cannot give is refused."),
        E("GET", "/containers/{id}/json"),
        E("GET", "/containers/{id}/top", "The processes are found through the container's cgroup."),
        E("GET", "/containers/{id}/logs", "json-file logs: follow, tail, since, until, timestamps."),
        E("GET", "/containers/{id}/changes"),
        E("GET", "/containers/{id}/export"),
        E("GET", "/containers/{id}/stats", "Read from the container's cgroup (v1 or v2)."),
        E("POST", "/containers/{id}/resize"),
        E("POST", "/containers/{id}/start"),
        E("POST", "/containers/{id}/stop"),
        E("POST", "/containers/{id}/restart"),
        E("POST", "/containers/{id}/kill"),
        E("POST", "/containers/{id}/update", "Limits are written to the live cgroup."),
        E("POST", "/containers/{id}/rename"),
        E("POST", "/containers/{id}/pause", "Through the cgroup freezer, as runc does."),
        E("POST", "/containers/{id}/unpause"),
        E("POST", "/containers/{id}/attach", "The stdio comes from the container's shim (its `attach.sock`)."),
        E("GET", "/containers/{id}/attach/ws", "WebSocket attach: not used by the docker CLI."),
        E("POST", "/containers/{id}/wait"),
        E("DELETE", "/containers/{id}", "`link=1` is refused: there are no links."),
        E("HEAD", "/containers/{id}/archive"),
        E("GET", "/containers/{id}/archive"),
        E("PUT", "/containers/{id}/archive"),
        E("POST", "/containers/prune"),
    )),
    Group("Exec", (
        E("POST", "/containers/{id}/exec"),
        E("POST", "/exec/{id}/start"),
        E("POST", "/exec/{id}/resize"),
        E("GET", "/exec/{id}/json"),
    )),
    Group("Images", (
        E("GET", "/images/json"),
        E("POST", "/build", "The legacy builder only (no BuildKit); the context comes in the request body, not from a URL or git."),
        E("POST", "/build/prune"),
        E("POST", "/images/create", "Pull from a registry (`fromImage`), or import the request body (`fromSrc=-`); not from a URL."),
        E("GET", "/images/{name}/json"),
        E("GET", "/images/{name}/history"),
        E("POST", "/images/{name}/push"),
        E("POST", "/images/{name}/tag"),
        E("DELETE", "/images/{name}"),
        E("GET", "/images/search"),
        E("POST", "/images/prune"),
        E("POST", "/commit"),
        E("GET", "/images/{name}/get"),
        E("GET", "/images/get"),
        E("POST", "/images/load"),
    )),
    Group("Distribution", (
        E("GET", "/distribution/{name}/json"),
    )),
    Group("Networks", (
        E("GET", "/networks"),
        E("GET", "/networks/{id}"),
        E("DELETE", "/networks/{id}"),
        E("POST", "/networks/create", "Bridge networks over IPv4; IPv6, `--ip-range` and `--aux-address` are refused."),
        E("POST", "/networks/{id}/connect"),
        E("POST", "/networks/{id}/disconnect"),
        E("POST", "/networks/prune"),
    )),
    Group("Volumes", (
        E("GET", "/volumes"),
        E("POST", "/volumes/create", "The `local` driver."),
        E("GET", "/volumes/{name}"),
        E("PUT", "/volumes/{name}", "Cluster volumes belong to Swarm."),
        E("DELETE", "/volumes/{name}"),
        E("POST", "/volumes/prune"),
    )),
    Group("Session", (
        E("POST", "/session", "BuildKit's session: the legacy builder does not need it."),
    ), planned=False, why="BuildKit only."),
    Group("Plugins", (
        E("GET", "/plugins"),
        E("GET", "/plugins/privileges"),
        E("POST", "/plugins/pull"),
        E("GET", "/plugins/{name}/json"),
        E("DELETE", "/plugins/{name}"),
        E("POST", "/plugins/{name}/enable"),
        E("POST", "/plugins/{name}/disable"),
        E("POST", "/plugins/{name}/upgrade"),
        E("POST", "/plugins/create"),
        E("POST", "/plugins/{name}/push"),
        E("POST", "/plugins/{name}/set"),
    ), planned=False, why="Managed plugins are out of scope: drivers are built in."),
    Group("Swarm", (
        E("GET", "/swarm"),
        E("POST", "/swarm/init"),
        E("POST", "/swarm/join"),
        E("POST", "/swarm/leave"),
        E("POST", "/swarm/update"),
        E("GET", "/swarm/unlockkey"),
        E("POST", "/swarm/unlock"),
        E("GET", "/nodes"),
        E("GET", "/nodes/{id}"),
        E("DELETE", "/nodes/{id}"),
        E("POST", "/nodes/{id}/update"),
        E("GET", "/services"),
        E("POST", "/services/create"),
        E("GET", "/services/{id}"),
        E("DELETE", "/services/{id}"),
        E("POST", "/services/{id}/update"),
        E("GET", "/services/{id}/logs"),
        E("GET", "/tasks"),
        E("GET", "/tasks/{id}"),
        E("GET", "/tasks/{id}/logs"),
        E("GET", "/secrets"),
        E("POST", "/secrets/create"),
        E("GET", "/secrets/{id}"),
        E("DELETE", "/secrets/{id}"),
        E("POST", "/secrets/{id}/update"),
        E("GET", "/configs"),
        E("POST", "/configs/create"),
        E("GET", "/configs/{id}"),
        E("DELETE", "/configs/{id}"),
        E("POST", "/configs/{id}/update"),
    ), planned=False, why="The course teaches orchestration with the mini Kubernetes instead of Swarm."),
)
