"""The HTTP application: routes, how errors become statuses, limits, and shutdown hooks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sandbox import __version__
from sandbox.engine.http.parser import Limits
from sandbox.engine.http.router import Router
from sandbox.engine.http.status import ErrorStatuses
from sandbox.engine.http.version import API_VERSION


@dataclass
class App:
    router: Router = field(default_factory=Router)
    errors: ErrorStatuses = field(default_factory=ErrorStatuses)
    limits: Limits = field(default_factory=Limits)
    server_name: str = f"sandbox/{__version__} (linux)"
    on_shutdown: list[Callable[[], None]] = field(default_factory=list)
    """Called when the server stops, before open streams are cancelled: a service ends
    its subscriptions here so streaming replies finish cleanly."""

    def include(self, register: Callable[..., None], *services: Any) -> None:
        """Add a group of routes: ``app.include(container_routes.register, containers)``."""
        register(self.router, *services)

    def common_headers(self) -> list[tuple[str, str]]:
        """Sent on every reply (dockerd sends them too; the CLI reads Api-Version even from
        errors to negotiate)."""
        return [("Api-Version", API_VERSION), ("Docker-Experimental", "false"), ("Ostype", "linux"),
                ("Server", self.server_name)]
