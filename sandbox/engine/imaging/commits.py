"""``docker commit`` for the engine: a container of the container service becomes an image.

The container service knows the container (its name, its state, the Config it runs with);
the store knows its read-write layer, kept under the container's id. A running container
is paused around the copy, as dockerd does by default, so its files do not change halfway.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sandbox.engine.events import EventBus
from sandbox.errors import ContainerLayerUnknown, ContainerNotCommittable, InvalidParameter, SandboxError
from sandbox.images.commit import commit
from sandbox.storage import Image, Store, normalize_reference

log = logging.getLogger("sandbox.engine.commit")


class Containers(Protocol):
    """What a commit needs of the container service."""

    def inspect(self, ref: str, size: bool = False) -> dict[str, Any]: ...
    def pause(self, ref: str) -> None: ...
    def unpause(self, ref: str) -> None: ...


@dataclass
class CommitRequest:
    container: str
    repo: str | None = None
    tag: str | None = None
    comment: str = ""
    author: str = ""
    pause: bool = True
    changes: list[str] = field(default_factory=list)
    config: dict[str, Any] | None = None
    """The request body: Config fields that replace the container's own."""


def target_tag(repo: str | None, tag: str | None) -> str | None:
    """``repo`` and ``tag`` as dockerd joins them: no repo is an untagged image."""
    if not repo:
        if tag:
            raise InvalidParameter("a tag needs a repository name", "tag", "docker commit CONTAINER REPO:TAG")
        return None
    ref = normalize_reference(repo)
    if ref.digest:
        raise InvalidParameter("cannot commit to a digest reference", "repo")
    if tag:
        ref = normalize_reference(f"{ref.name}:{tag}")
    return ref.tagged


@dataclass
class CommitService:
    store: Store
    containers: Containers
    events: EventBus | None = None

    def commit(self, req: CommitRequest) -> Image:
        tag = target_tag(req.repo, req.tag)
        info = self.containers.inspect(req.container)
        cid, state = info["Id"], info.get("State") or {}
        if state.get("Restarting"):
            raise ContainerNotCommittable(req.container, "it is restarting", "wait until it runs or stops")
        config = dict(info.get("Config") or {})
        config.update({k: v for k, v in (req.config or {}).items() if v not in (None, "", [], {})})
        paused = bool(req.pause and state.get("Running") and not state.get("Paused"))
        if paused:
            self.containers.pause(cid)
        try:
            image = commit(self.store, cid, req.changes, author=req.author or None, message=req.comment or None,
                           tags=[tag] if tag else [], container_config=config)
        except ContainerLayerUnknown:
            raise ContainerNotCommittable(req.container, "it has no read-write layer in the image store",
                                          "was it made by this engine?") from None
        finally:
            if paused:
                self._unpause(cid)
        if self.events is not None:
            name = str(info.get("Name") or "").lstrip("/")
            self.events.emit("container", "commit", cid, {"name": name, "imageID": image.id,
                                                          "comment": req.comment})
            if tag:
                self.events.emit("image", "tag", image.id, {"name": tag})
        return image

    def _unpause(self, cid: str) -> None:
        try:
            self.containers.unpause(cid)
        except SandboxError as e:
            # The image is made; a container that died meanwhile is not the commit's failure.
            log.warning("commit: could not unpause %s again: %s", cid[:12], e.message)


def changes_of(values: Sequence[str]) -> list[str]:
    """``changes`` query values; the SDK sends them joined by newlines in one value."""
    out: list[str] = []
    for value in values:
        out += [line for line in value.splitlines() if line.strip()]
    return out
