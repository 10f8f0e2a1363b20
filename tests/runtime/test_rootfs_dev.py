"""The links a container's /dev gets (rootfs.dev_symlinks)."""

from __future__ import annotations

from pathlib import Path

from sandbox.runtime.rootfs import DEFAULT_SYMLINKS, dev_symlinks


def test_core_is_linked_when_the_kernel_has_kcore(tmp_path: Path) -> None:
    kcore = tmp_path / "kcore"
    kcore.touch()
    links = dict(dev_symlinks(str(kcore)))
    assert links["core"] == "/proc/kcore"
    assert links["fd"] == "/proc/self/fd"


def test_no_core_without_kcore(tmp_path: Path) -> None:
    links = dev_symlinks(str(tmp_path / "missing"))
    assert links == DEFAULT_SYMLINKS
    assert "core" not in dict(links)
