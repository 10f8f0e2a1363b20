"""``POST /build`` behind the route: options in, the legacy builder's stream out.

The route has already read the context into a file; this runs the build library on it
with the store and the runtime, and passes each ``BuildEvent`` on as the JSON object of
Docker's build stream. A failed build has already said why in its stream (the library
emits the error event before raising), so its error is not raised again here: the stream
is the only channel once the 200 has gone out.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any

from sandbox.engine.events import EventBus
from sandbox.errors import SandboxError
from sandbox.images.build import BuildEvent, build
from sandbox.images.registry import Credential
from sandbox.storage import Image, Store

if TYPE_CHECKING:
    from sandbox.engine.imaging.distribution import Distribution
    from sandbox.runtime.runtime import Runtime

log = logging.getLogger("sandbox.engine.build")

Emit = Callable[[dict[str, Any]], None]


@dataclass
class BuildOptions:
    """What ``POST /build`` asks for, read from its query string and headers."""

    dockerfile: str = "Dockerfile"
    tags: list[str] = field(default_factory=list)
    buildargs: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    nocache: bool = False
    quiet: bool = False
    target: str | None = None
    registry_auth: dict[str, Credential] = field(default_factory=dict)
    """``X-Registry-Config``: credentials per registry host, for base images to pull."""


@dataclass
class BuildService:
    store: Store
    runtime: Runtime | None
    events: EventBus | None = None
    distribution: Distribution | None = None

    def build(self, context: IO[bytes], opts: BuildOptions, emit: Emit) -> Image | None:
        """Build from the tar stream ``context``; every line goes to ``emit``. Returns the
        image, or None when the build failed (its error event has been emitted)."""
        def on_event(event: BuildEvent) -> None:
            emit(event.to_json())

        try:
            image = build(self.store, self.runtime, context, dockerfile=opts.dockerfile or "Dockerfile",
                          tags=opts.tags, buildargs=opts.buildargs, labels=opts.labels, nocache=opts.nocache,
                          quiet=opts.quiet, target=opts.target or None, emit=on_event,
                          pull=self._puller(opts, emit))
        except SandboxError as e:
            log.info("build failed: %s", e.message)
            return None
        if self.events is not None:
            for tag in image.tags:
                self.events.emit("image", "tag", image.id, {"name": tag})
        return image

    def _puller(self, opts: BuildOptions, emit: Emit) -> Callable[[str], Image] | None:
        distribution = self.distribution
        if distribution is None:
            return None

        def pull_base(ref: str) -> Image:
            first = ref.split("/", 1)[0] if "/" in ref else ""
            auth = opts.registry_auth.get(first) if first else _hub_credential(opts.registry_auth)
            return distribution.pull_for_build(ref, lambda line: emit({"stream": line}), auth)

        return pull_base


def _hub_credential(auths: dict[str, Credential]) -> Credential | None:
    for key in ("https://index.docker.io/v1/", "index.docker.io", "docker.io", "registry-1.docker.io"):
        if key in auths:
            return auths[key]
    return None
