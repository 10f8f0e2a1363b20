"""The engine's Docker-compatible API: routes over the services, wired by ``build_app``.

One module per group of routes (``system``, ``events``, ``images``); each has a
``register(router, service…)`` function, so a group is added with ``app.include``.
"""

from __future__ import annotations

from sandbox.engine.api.app import build_app

__all__ = ["build_app"]
