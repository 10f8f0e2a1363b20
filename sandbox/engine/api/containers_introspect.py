"""What the pictures read about a live container: ``/sandbox/containers/{id}/namespaces``
(host vs container inode per namespace, the process tree from both sides) and
``/sandbox/containers/{id}/cgroup`` (controller files and live values)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sandbox.engine import introspect
from sandbox.engine.http import Request, Router
from sandbox.errors import ContainerConflict, ContainerNotFound

if TYPE_CHECKING:
    from sandbox.engine.containers import ContainerService
    from sandbox.runtime.runtime import Runtime

LIVE = ("running", "paused")


def _live_id(containers: ContainerService, runtime: Runtime, ref: str) -> tuple[str, int]:
    """(full id, init pid) of a running or paused container; 409 for any other."""
    cid = containers.resolve(ref)
    try:
        state = runtime.state(cid)
    except ContainerNotFound:
        state = None
    if state is None or state.status.value not in LIVE:
        raise ContainerConflict(cid, f"container {cid} is not running",
                                "start it first: the pictures read a live container's processes")
    return cid, state.pid


def register(router: Router, containers: ContainerService, runtime: Runtime) -> None:
    @router.get("/sandbox/containers/{id}/namespaces")
    def namespaces(req: Request) -> dict[str, Any]:
        cid, pid = _live_id(containers, runtime, req.params["id"])
        return introspect.namespaces(pid, runtime.cgroup(cid).pids())

    @router.get("/sandbox/containers/{id}/cgroup")
    def cgroup(req: Request) -> dict[str, Any]:
        cid, _ = _live_id(containers, runtime, req.params["id"])
        return introspect.cgroup(runtime.cgroup(cid))
