"""Where the engine listens: ``DOCKER_HOST`` (``unix:///path``), a plain path, or the default."""

from __future__ import annotations

import os
from collections.abc import Mapping

from sandbox.errors import EngineUnavailable

DEFAULT_SOCKET = "/run/sandbox/engine.sock"
"""Where ``sandbox up`` puts the engine's socket (Settings.run_dir / engine.sock)."""


def socket_path(address: str | None = None, env: Mapping[str, str] | None = None) -> str:
    """The unix socket path for ``address``; with none, ``DOCKER_HOST``, then the default.

    Only unix sockets: the engine never listens on TCP, so a ``tcp://`` address is a mistake
    worth naming rather than a connection attempt that hangs.
    """
    if address is None:
        environ = os.environ if env is None else env
        address = environ.get("DOCKER_HOST") or DEFAULT_SOCKET
    if address.startswith("unix://"):
        path = address[len("unix://"):]
    elif "://" in address:
        raise EngineUnavailable(address, "only unix:// addresses are supported",
                                hint="use unix:///run/sandbox/engine.sock or a socket path")
    else:
        path = address
    if not path:
        raise EngineUnavailable(address, "the address names no socket path")
    return path


def display_address(path: str) -> str:
    return f"unix://{path}"
