"""The overlay driver: each layer holds only its own changes, the kernel merges them.

A layer tar's whiteouts become overlay's own (0/0 devices, the opaque xattr) in the diff
directory, so when the diffs are stacked as ``lowerdir=`` the kernel hides what they delete.
A container adds ``upper/`` (where its writes land) and ``work/`` (overlay's scratch space,
which must be on the same file system as upper).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

from sandbox.storage.changes import Change, overlay_changes
from sandbox.storage.lookup import overlay_lookup
from sandbox.storage.rootfs import RootfsLayout
from sandbox.storage.tarapply import WhiteoutMode
from sandbox.storage.tarexport import export_overlay_upper


class OverlayDriver:
    name = "overlay"
    whiteouts: WhiteoutMode = "overlay"

    def prepare_layer(self, diff: Path, parent_diff: Path | None) -> None:
        diff.mkdir(mode=0o755)

    def lookup(self, diffs: Sequence[Path], parts: Sequence[str]) -> Path | None:
        return overlay_lookup(diffs, parts)

    def create_container(self, cdir: Path, diffs: Sequence[Path], empty: Path) -> RootfsLayout:
        upper, work, merged = cdir / "upper", cdir / "work", cdir / "merged"
        for d in (upper, work, merged):
            d.mkdir(mode=0o755)
        return RootfsLayout(kind="overlay", lowerdirs=list(diffs) or [empty], upperdir=upper, workdir=work,
                            path=merged)

    def changes(self, layout: RootfsLayout, diffs: Sequence[Path]) -> list[Change]:
        assert layout.upperdir is not None
        return overlay_changes(layout.upperdir, diffs)

    def export(self, layout: RootfsLayout, diffs: Sequence[Path], out: BinaryIO) -> None:
        assert layout.upperdir is not None
        export_overlay_upper(layout.upperdir, out)

    def image_view(self, diffs: Sequence[Path], empty: Path) -> RootfsLayout:
        # Without an upper directory overlay wants at least two lower ones; an empty one at
        # the bottom changes nothing in the merged view.
        lowers = list(diffs)
        while len(lowers) < 2:
            lowers.append(empty)
        return RootfsLayout(kind="overlay", lowerdirs=lowers)
