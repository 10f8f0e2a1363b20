"""The layer driver interface (containers/storage's ``Driver``, reduced to what we use).

A layer lives in ``layers/<id>/diff``; the store hands drivers those directories, top
first, and never looks inside them itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO, Protocol

from sandbox.storage.changes import Change
from sandbox.storage.rootfs import RootfsLayout
from sandbox.storage.tarapply import WhiteoutMode


class LayerDriver(Protocol):
    name: str
    whiteouts: WhiteoutMode
    """How a layer tar's whiteouts are applied to a diff directory."""

    def prepare_layer(self, diff: Path, parent_diff: Path | None) -> None:
        """Make the (new) diff directory a layer tar is then applied to."""
        ...

    def lookup(self, diffs: Sequence[Path], parts: Sequence[str]) -> Path | None:
        """The file the merged view of ``diffs`` (top first) shows at ``parts``."""
        ...

    def create_container(self, cdir: Path, diffs: Sequence[Path], empty: Path) -> RootfsLayout:
        """Make a container's read-write layer in ``cdir`` on top of ``diffs`` (top first).
        ``empty`` is an empty directory to use where a layer is needed but there is none."""
        ...

    def changes(self, layout: RootfsLayout, diffs: Sequence[Path]) -> list[Change]:
        ...

    def export(self, layout: RootfsLayout, diffs: Sequence[Path], out: BinaryIO) -> None:
        """Write the container's changes as an OCI layer tar."""
        ...

    def image_view(self, diffs: Sequence[Path], empty: Path) -> RootfsLayout:
        """A read-only layout showing the merged layers."""
        ...
