"""The placement hint on ``layers/``: set where the file system has inode flags (ext4),
quietly refused where it has not or the path is no directory."""

from __future__ import annotations

import fcntl
import io
import os
import struct
from pathlib import Path

import pytest

from sandbox.storage import Store
from sandbox.storage.spread import FS_IOC_GETFLAGS, FS_IOC_SETFLAGS, has_spread_flag, spread_subdirectories

from .conftest import TarBuilder

FS_NOATIME_FL = 0x00000080


def _flags(path: Path) -> int | None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        return int(struct.unpack_from("=i", fcntl.ioctl(fd, FS_IOC_GETFLAGS, bytes(8)))[0])
    except OSError:
        return None
    finally:
        os.close(fd)


@pytest.fixture
def flagged_dir(tmp_path: Path) -> Path:
    """A directory on a file system with inode flags (skip elsewhere)."""
    d = tmp_path / "layers"
    d.mkdir()
    if _flags(d) is None:
        pytest.skip("the test directory's file system has no inode flags")
    return d


def test_the_flag_is_set_and_other_flags_stay(flagged_dir: Path) -> None:
    fd = os.open(flagged_dir, os.O_RDONLY | os.O_DIRECTORY)
    try:
        before = _flags(flagged_dir)
        assert before is not None
        fcntl.ioctl(fd, FS_IOC_SETFLAGS, struct.pack("=iI", before | FS_NOATIME_FL, 0))
    finally:
        os.close(fd)
    assert not has_spread_flag(flagged_dir)
    assert spread_subdirectories(flagged_dir) is True
    assert has_spread_flag(flagged_dir)
    assert (_flags(flagged_dir) or 0) & FS_NOATIME_FL
    assert spread_subdirectories(flagged_dir) is True  # again: nothing to change
    assert has_spread_flag(flagged_dir)


def test_a_missing_path_is_refused(tmp_path: Path) -> None:
    assert spread_subdirectories(tmp_path / "nothing") is False
    assert has_spread_flag(tmp_path / "nothing") is False


def test_a_file_is_refused(tmp_path: Path) -> None:
    f = tmp_path / "file"
    f.write_bytes(b"x")
    assert spread_subdirectories(f) is False


def test_a_file_system_without_the_flag_is_refused(unique: str) -> None:
    # tmpfs keeps a few inode flags (noatime, append-only…) but not this one.
    if not Path("/dev/shm").is_dir() or os.statvfs("/dev/shm").f_fsid == os.statvfs("/").f_fsid:
        pytest.skip("needs a tmpfs at /dev/shm")
    d = Path("/dev/shm") / f"spread-{unique}"
    d.mkdir()
    try:
        assert spread_subdirectories(d) is False
        assert not has_spread_flag(d)
    finally:
        d.rmdir()


def test_a_store_flags_its_layers_directory(tmp_path: Path, tar: type[TarBuilder]) -> None:
    store = Store(tmp_path / "store", "copy")
    layer = store.import_layer_tar(io.BytesIO(tar().file("hello.txt", b"hi").bytes()))
    layers = tmp_path / "store" / "layers"
    if _flags(layers) is None:
        pytest.skip("the test directory's file system has no inode flags")
    assert has_spread_flag(layers)
    assert (layer.diff / "hello.txt").read_bytes() == b"hi"
