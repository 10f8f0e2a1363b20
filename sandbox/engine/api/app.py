"""``build_app``: the engine's services wired into one HTTP application."""

from __future__ import annotations

from typing import Any

from sandbox.config import Settings
from sandbox.engine.api import archive_images as archive_routes
from sandbox.engine.api import build as build_routes
from sandbox.engine.api import commit as commit_routes
from sandbox.engine.api import distribution as distribution_routes
from sandbox.engine.api import events as event_routes
from sandbox.engine.api import images as image_routes
from sandbox.engine.api import images_introspect as image_introspect_routes
from sandbox.engine.api import system as system_routes
from sandbox.engine.events import EventBus, TraceBus
from sandbox.engine.http import App
from sandbox.engine.images_service import ImageInUse, ImageService
from sandbox.engine.imaging.archives import ImageArchives
from sandbox.engine.imaging.builds import BuildService
from sandbox.engine.imaging.commits import CommitService
from sandbox.engine.imaging.distribution import Distribution
from sandbox.engine.imaging.layer_files import LayerFiles
from sandbox.storage import Store


def build_app(settings: Settings, *, store: Store, events: EventBus | None = None, trace: TraceBus | None = None,
              containers: Any = None, image_in_use: ImageInUse | None = None, runtime: Any = None,
              volumes: Any = None) -> App:
    """The non-container API over ``store``.

    ``containers`` is the container service; ``/info`` and ``/system/df`` read
    ``containers.list(all=True)`` (Docker ``/containers/json`` entries). ``image_in_use``
    tells ``DELETE /images`` which container uses an image (the store's container layers
    are asked when it is None). Add the container routes afterwards with
    ``app.include(register, containers)``. ``runtime`` runs a build's RUN steps (a build
    without it refuses RUN). ``volumes`` (the VolumeService) puts volumes in ``/system/df``."""
    events = events if events is not None else EventBus()
    trace = trace if trace is not None else TraceBus()
    images = ImageService(store, events, image_in_use)

    def list_containers() -> list[dict[str, Any]]:
        return [] if containers is None else list(containers.list(all=True))

    app = App()
    volume_usage = volumes.disk_usage if volumes is not None else None
    app.include(system_routes.register, system_routes.System(settings, images, events, list_containers,
                                                             volume_usage))
    app.include(event_routes.register, events, trace)
    # -- images end to end: registries, builds, commit, archives ------------------------
    distribution = Distribution(store, images, events)
    archives = ImageArchives(store, events)
    app.include(image_routes.register, images, distribution, archives)
    app.include(distribution_routes.register, distribution)
    app.include(image_introspect_routes.register, images, LayerFiles(store))
    app.include(archive_routes.register, archives)
    app.include(build_routes.register, BuildService(store, runtime, events, distribution))
    if containers is not None:
        app.include(commit_routes.register, CommitService(store, containers, events))
    app.on_shutdown += [events.close, trace.close]
    return app
