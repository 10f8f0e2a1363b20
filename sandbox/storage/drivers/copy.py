"""The copy driver (vfs-like): every layer and every container is a full copy.

No kernel support needed and nothing to mount, at the price of disk space and time. A
layer starts as a copy of its parent and the tar is applied with real deletions for its
whiteouts; a container's changes are found by comparing its copy with the image's top layer.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

from sandbox.storage.changes import Change, tree_changes
from sandbox.storage.copytree import copy_tree
from sandbox.storage.rootfs import RootfsLayout
from sandbox.storage.tarapply import WhiteoutMode
from sandbox.storage.tarexport import export_changes


class CopyDriver:
    name = "copy"
    whiteouts: WhiteoutMode = "delete"

    def prepare_layer(self, diff: Path, parent_diff: Path | None) -> None:
        if parent_diff is None:
            diff.mkdir(mode=0o755)
        else:
            copy_tree(parent_diff, diff)

    def lookup(self, diffs: Sequence[Path], parts: Sequence[str]) -> Path | None:
        if not diffs:
            return None
        path = Path(diffs[0]).joinpath(*parts)
        return path if path.is_symlink() or path.exists() else None

    def create_container(self, cdir: Path, diffs: Sequence[Path], empty: Path) -> RootfsLayout:
        rootfs = cdir / "rootfs"
        if diffs:
            copy_tree(diffs[0], rootfs)
        else:
            rootfs.mkdir(mode=0o755)
        return RootfsLayout(kind="dir", path=rootfs)

    def changes(self, layout: RootfsLayout, diffs: Sequence[Path]) -> list[Change]:
        assert layout.path is not None
        return tree_changes(diffs[0] if diffs else None, layout.path)

    def export(self, layout: RootfsLayout, diffs: Sequence[Path], out: BinaryIO) -> None:
        assert layout.path is not None
        export_changes(self.changes(layout, diffs), layout.path, out)

    def image_view(self, diffs: Sequence[Path], empty: Path) -> RootfsLayout:
        return RootfsLayout(kind="dir", path=Path(diffs[0]) if diffs else empty)
