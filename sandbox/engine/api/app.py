"""``build_app``: the engine's services wired into one HTTP application."""

from __future__ import annotations

from typing import Any

from sandbox.config import Settings
from sandbox.engine.api import events as event_routes
from sandbox.engine.api import images as image_routes
from sandbox.engine.api import system as system_routes
from sandbox.engine.events import EventBus, TraceBus
from sandbox.engine.http import App
from sandbox.engine.images_service import ImageInUse, ImageService
from sandbox.storage import Store


def build_app(settings: Settings, *, store: Store, events: EventBus | None = None, trace: TraceBus | None = None,
              containers: Any = None, image_in_use: ImageInUse | None = None) -> App:
    """The non-container API over ``store``.

    ``containers`` is the container service; ``/info`` and ``/system/df`` read
    ``containers.list(all=True)`` (Docker ``/containers/json`` entries). ``image_in_use``
    tells ``DELETE /images`` which container uses an image (the store's container layers
    are asked when it is None). Add the container routes afterwards with
    ``app.include(register, containers)``."""
    events = events if events is not None else EventBus()
    trace = trace if trace is not None else TraceBus()
    images = ImageService(store, events, image_in_use)

    def list_containers() -> list[dict[str, Any]]:
        return [] if containers is None else list(containers.list(all=True))

    app = App()
    app.include(system_routes.register, system_routes.System(settings, images, events, list_containers))
    app.include(event_routes.register, events, trace)
    app.include(image_routes.register, images)
    app.on_shutdown += [events.close, trace.close]
    return app
