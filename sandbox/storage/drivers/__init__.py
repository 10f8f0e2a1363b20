"""Layer drivers: how layers and container layers are kept on disk.

``overlay`` keeps only each layer's own changes and lets the kernel merge them; ``copy``
keeps a full copy per layer and per container (slow and large, but works anywhere). The
store talks to both through ``LayerDriver``; one conformance suite tests both.
"""

from __future__ import annotations

from sandbox.errors import StorageError
from sandbox.storage.drivers.base import LayerDriver

DRIVERS = ("overlay", "copy")


def get_driver(name: str) -> LayerDriver:
    if name == "overlay":
        from sandbox.storage.drivers.overlay import OverlayDriver

        return OverlayDriver()
    if name == "copy":
        from sandbox.storage.drivers.copy import CopyDriver

        return CopyDriver()
    raise StorageError(f"unknown storage driver {name!r}", f"choose one of: {', '.join(DRIVERS)}")


__all__ = ["DRIVERS", "LayerDriver", "get_driver"]
