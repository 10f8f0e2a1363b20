"""Changes to an existing container: ``rename``, ``update`` (live limits), ``resize``."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from sandbox.engine.containers import networking, translate
from sandbox.engine.containers.names import check_name
from sandbox.engine.containers.registry import Container
from sandbox.engine.containers.validate import RESTART_POLICY, UPDATE, check_fields
from sandbox.errors import (
    CgroupFileError,
    ContainerConflict,
    ContainerNotFound,
    InvalidParameter,
    ResourceError,
    StateError,
)

if TYPE_CHECKING:
    from sandbox.engine.containers.context import Engine


def rename(eng: Engine, c: Container, new: str) -> None:
    if not new:
        raise InvalidParameter("Neither old nor new names may be empty", "name")
    new_name = check_name(new)
    with c.lock:
        if c.rec.state.removing or c.removed:
            raise ContainerConflict(c.id, f"container {c.id} is being removed; cannot rename it")
        old = c.rec.name
        if new_name == old:
            raise InvalidParameter("Renaming a container with the same name as its current name", "name")
        eng.registry.rename(c, new_name)
        c.rec.name = new_name
        eng.save(c)
        networking.rename(eng, c.id, new_name)  # peers' hosts files name it anew
        eng.event(c, "rename", oldName=old)


def update(eng: Engine, c: Container, body: Any) -> dict[str, Any]:
    """Like ``docker update``: a field that is 0 or absent keeps its value. Limits take
    effect at once on a live container (through its cgroup) and at every later start."""
    fields = check_fields(body, UPDATE, "UpdateConfig")
    changes = {k: v for k, v in fields.items()
               if k in translate.RESOURCES_UPDATABLE and v not in (None, 0, "")}
    with c.lock:
        s = c.rec.state
        if s.removing or c.removed or s.dead:
            raise ContainerConflict(c.id, f"container {c.id} is being removed or dead; cannot update it")
        host = copy.deepcopy(c.rec.host_config)
        if changes.get("NanoCpus"):
            host["CpuPeriod"] = host["CpuQuota"] = 0
        if changes.get("CpuQuota") or changes.get("CpuPeriod"):
            host["NanoCpus"] = 0
        host.update(changes)
        translate.check_resources(host)
        if fields.get("RestartPolicy") is not None:
            check_fields(fields["RestartPolicy"], RESTART_POLICY, "UpdateConfig.RestartPolicy")
            if host.get("AutoRemove") and (fields["RestartPolicy"].get("Name") or "no") != "no":
                raise InvalidParameter("Restart policy cannot be updated because AutoRemove is enabled "
                                       "for the container", "RestartPolicy")
            host["RestartPolicy"] = translate.restart_policy({"RestartPolicy": fields["RestartPolicy"]})
        if s.live or c.prepared:
            try:
                eng.runtime.update(c.id, translate.resources(host))
            except ResourceError as e:
                raise InvalidParameter(f"Cannot update container {c.id}: {e.message}", e.field, e.hint) from e
            except CgroupFileError as e:
                raise InvalidParameter(f"Cannot update container {c.id}: {e.message}", None,
                                       "the kernel refused the value; a memory limit below what the "
                                       "container uses now cannot be set") from e
            except (StateError, ContainerNotFound):
                pass  # it exited meanwhile: the new limits apply at its next start
        c.rec.host_config = host
        eng.save(c)
        eng.event(c, "update")
    return {"Warnings": []}


def resize(eng: Engine, c: Container, height: int, width: int) -> None:
    if height < 0 or width < 0:
        raise InvalidParameter(f"invalid size {height}x{width}", "h", "give positive h and w")
    with c.lock:
        if not c.rec.config.get("Tty"):
            raise ContainerConflict(c.id, f"container {c.id} has no terminal to resize",
                                    "resize works on containers made with -t")
        if not (c.rec.state.live or c.prepared):
            raise ContainerConflict(c.id, f"container {c.id} is not running")
        try:
            eng.runtime.resize(c.id, height, width)
        except OSError as e:
            raise ContainerConflict(c.id, f"cannot resize container {c.id}: {e.strerror}") from e
        eng.event(c, "resize", height=str(height), width=str(width))
