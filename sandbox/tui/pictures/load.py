"""Fetching one picture's data through the Backend and turning it into its view model.

Called from the picture pane's worker thread (every Backend call may block). Returns the
model, or raises ``NeedsSubject`` when there is nothing to draw yet; engine failures come
out as the ``SandboxError`` the backend raised.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from sandbox.errors import EngineError

from ..backend.protocol import Backend
from ..backend.types import TraceRecord
from .models import cgroups as cg
from .models import layers, namespaces, network, trace
from .target import Target


class NeedsSubject(Exception):
    """Not an error: the picture has no container/image/network to show yet. ``what`` is
    the i18n key of the message to show."""

    def __init__(self, what: str, **params: str) -> None:
        super().__init__(what)
        self.what = what
        self.params = params


def _first_network(inspect: Mapping[str, Any]) -> str | None:
    nets = (inspect.get("NetworkSettings") or {}).get("Networks") or {}
    return next(iter(nets), None)


def load_layers(backend: Backend, target: Target) -> layers.LayerStack:
    image = target.image
    changes = None
    if target.container:
        inspect = backend.container(target.container)
        image = image or (inspect.get("Config") or {}).get("Image") or inspect.get("Image")
        changes = backend.changes(target.container)
    if not image:
        raise NeedsSubject("picture.need_image")
    return layers.build_stack(image, backend.image(image), backend.layer_files(image), target.container, changes,
                              target.path)


def load_namespaces(backend: Backend, target: Target) -> namespaces.NamespaceView:
    if not target.container:
        raise NeedsSubject("what.namespaces")
    return namespaces.build_view(target.container, backend.namespaces(target.container))


def load_cgroup(backend: Backend, target: Target, previous: cg.CgroupSample | None) -> cg.CgroupView:
    if not target.container:
        raise NeedsSubject("what.cgroups")
    try:
        data = backend.cgroup(target.container)
    except EngineError as err:
        if err.status != 409:
            raise
        # 409: it exists but runs no more (an OOM kill of its main process ends it): say
        # how it ended beside the last sample instead of an error.
        inspect = backend.container(target.container)
        state = inspect.get("State") or {}
        if state.get("Running"):
            raise  # started again meanwhile: the next refresh reads it
        if state.get("Status") == "created":
            raise NeedsSubject("picture.not_started", name=target.container) from err
        return cg.ended_view(target.container, inspect, previous, time.monotonic())
    return cg.derive(target.container, cg.parse_sample(data, time.monotonic()), previous)


def load_network(backend: Backend, target: Target) -> network.NetworkView:
    name = target.network
    if not name and target.container:
        name = _first_network(backend.container(target.container))
    if not name:
        raise NeedsSubject("what.network")
    return network.build_view(backend.topology(name))


def trace_lines(records: tuple[TraceRecord, ...]) -> list[trace.TraceLine]:
    return [trace.describe(r) for r in records]
