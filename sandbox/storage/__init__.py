"""sandbox.storage: the image store.

Content-addressed blobs in an OCI image layout, layers kept by a driver (overlay or copy),
image records, containers' read-write layers, and safe application of layer tarballs.
The public names are re-exported here; everything else is an implementation detail.
"""

from __future__ import annotations

from sandbox.storage.changes import Change
from sandbox.storage.containers import ContainerLayer
from sandbox.storage.imageconfig import HistoryEntry, ImageConfig
from sandbox.storage.images import Image
from sandbox.storage.layers import Layer
from sandbox.storage.reference import Reference, normalize_reference
from sandbox.storage.rootfs import RootfsLayout
from sandbox.storage.store import Store
from sandbox.storage.tarapply import apply_tar

__all__ = [
    "Change",
    "ContainerLayer",
    "HistoryEntry",
    "Image",
    "ImageConfig",
    "Layer",
    "Reference",
    "RootfsLayout",
    "Store",
    "apply_tar",
    "normalize_reference",
]
