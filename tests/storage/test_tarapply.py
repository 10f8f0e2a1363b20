"""Applying well-formed layers: what lands on disk, with owners, modes, times and whiteouts."""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path

import pytest

from sandbox.errors import StorageError
from sandbox.storage import whiteouts as wh
from sandbox.storage.tarapply import apply_tar

MTIME = 1_600_000_000  # what the tar builder stamps on every member


def test_files_dirs_links_and_fifos(tar, target: Path) -> None:
    b = (
        tar()
        .dir("etc", 0o750)
        .file("etc/passwd", b"root\n", 0o600)
        .symlink("etc/link", "passwd")
        .hardlink("etc/hard", "etc/passwd")
        .fifo("run.fifo", 0o640)
        .file("deep/er/file", b"x")
    )
    result = apply_tar(b.stream(), target)
    assert result.entries == 6
    assert (target / "etc" / "passwd").read_bytes() == b"root\n"
    assert stat.S_IMODE((target / "etc").stat().st_mode) == 0o750
    assert stat.S_IMODE((target / "etc" / "passwd").stat().st_mode) == 0o600
    assert os.readlink(target / "etc" / "link") == "passwd"
    assert os.stat(target / "etc" / "hard").st_ino == os.stat(target / "etc" / "passwd").st_ino
    assert stat.S_ISFIFO(os.lstat(target / "run.fifo").st_mode)
    assert stat.S_IMODE(os.lstat(target / "run.fifo").st_mode) == 0o640
    assert (target / "deep" / "er" / "file").read_bytes() == b"x"  # parents made on the way


def test_mtimes_are_kept_including_directories(tar, target: Path) -> None:
    apply_tar(tar().dir("d").file("d/f", b"1").symlink("d/l", "f").stream(), target)
    for name in ("d", "d/f"):
        assert os.stat(target / name).st_mtime == MTIME
    assert os.lstat(target / "d" / "l").st_mtime == MTIME


def test_read_only_directory_gets_its_mode_after_its_children(tar, target: Path) -> None:
    apply_tar(tar().dir("ro", 0o555).file("ro/f", b"x").stream(), target)
    assert (target / "ro" / "f").read_bytes() == b"x"
    assert stat.S_IMODE((target / "ro").stat().st_mode) == 0o555


@pytest.mark.root
def test_owner_and_setuid_are_preserved_as_root(tar, target: Path) -> None:
    b = (
        tar()
        .dir("home/u", 0o700, uid=1000, gid=1000)
        .file("bin/su", b"#!", 0o4755, uid=0, gid=0)
        .file("home/u/f", b"x", 0o640, uid=1000, gid=100)
    )
    apply_tar(b.stream(), target)
    st = (target / "bin" / "su").stat()
    assert stat.S_IMODE(st.st_mode) == 0o4755
    assert (os.stat(target / "home" / "u").st_uid, os.stat(target / "home" / "u").st_gid) == (1000, 1000)
    assert (os.stat(target / "home/u/f").st_uid, os.stat(target / "home/u/f").st_gid) == (1000, 100)


def test_user_xattrs_are_applied_trusted_ones_are_not(tar, target: Path) -> None:
    b = tar().file("f", b"x", xattrs={"user.color": b"blue", "trusted.overlay.opaque": b"y"})
    apply_tar(b.stream(), target)
    try:
        assert os.getxattr(target / "f", "user.color") == b"blue"
    except OSError as e:  # pragma: no cover - file systems without user xattrs
        pytest.skip(f"no user xattrs here: {e}")
    assert "trusted.overlay.opaque" not in os.listxattr(target / "f")


def test_later_member_replaces_earlier_one(tar, target: Path) -> None:
    apply_tar(tar().dir("x").file("x/in", b"1").file("x", b"now a file").stream(), target)
    assert (target / "x").read_bytes() == b"now a file"


def test_symlinked_parent_inside_the_root_is_followed(tar, target: Path) -> None:
    # usrmerge: lib -> usr/lib; a member under lib/ lands in usr/lib/.
    apply_tar(tar().dir("usr/lib").symlink("lib", "usr/lib").file("lib/libc.so", b"elf").stream(), target)
    assert (target / "usr" / "lib" / "libc.so").read_bytes() == b"elf"
    assert (target / "lib").is_symlink()


def test_delete_mode_whiteouts_remove_files_and_trees(tar, target: Path) -> None:
    apply_tar(
        tar().file("a", b"a").file("d/x", b"x").file("d/sub/y", b"y").file("keep", b"k").stream(), target
    )
    result = apply_tar(tar().whiteout("a").whiteout("d").whiteout("missing/z").stream(), target, "delete")
    assert result.whiteouts == 3
    assert sorted(os.listdir(target)) == ["keep"]


def test_delete_mode_opaque_keeps_only_this_layers_entries(tar, target: Path) -> None:
    apply_tar(tar().file("d/old", b"o").file("d/sub/old", b"o").stream(), target)
    b = tar().dir("d").file("d/new", b"n").opaque("d").file("d/sub/newer", b"n")
    apply_tar(b.stream(), target, "delete")
    assert sorted(os.listdir(target / "d")) == ["new", "sub"]
    assert os.listdir(target / "d" / "sub") == ["newer"]


@pytest.mark.root
def test_overlay_mode_makes_kernel_whiteouts(tar, target: Path) -> None:
    b = tar().whiteout("etc/gone").opaque("var/cache").file("var/cache/new", b"n")
    apply_tar(b.stream(), target, "overlay")
    st = os.lstat(target / "etc" / "gone")
    assert stat.S_ISCHR(st.st_mode) and st.st_rdev == 0
    assert wh.is_opaque(str(target / "var" / "cache"))
    assert not wh.is_opaque(str(target / "var"))
    assert (target / "var" / "cache" / "new").read_bytes() == b"n"


@pytest.mark.root
def test_overlay_mode_implicit_parent_copies_lower_attributes(tar, tmp_path: Path, target: Path) -> None:
    lower = tmp_path / "lower"
    apply_tar(tar().dir("home", 0o711, uid=7, gid=8).stream(), (lower.mkdir() or lower))
    apply_tar(tar().file("home/f", b"x").stream(), target, "overlay", lowers=[lower])
    st = os.stat(target / "home")
    assert (stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid) == (0o711, 7, 8)


def test_aufs_metadata_entries_are_ignored(tar, target: Path) -> None:
    apply_tar(tar().file(".wh..wh.plnk/123.456", b"").file(".wh..wh.aufs", b"").stream(), target)
    assert os.listdir(target) in ([], [".wh..wh.plnk"])


def test_not_a_tar(target: Path) -> None:
    with pytest.raises(StorageError):
        apply_tar(io.BytesIO(b"this is not a tar archive" * 40), target)


def test_tar_without_end_blocks_is_accepted(tar, target: Path) -> None:
    """Some writers stop right after the last member's data (no padding, no zero blocks)."""
    data = tar().dir("opt").file("opt/hello", b"hello\n").bytes()
    cut = data[: 512 * 3 + 6]  # headers of both members and the 6 data bytes, nothing after
    apply_tar(io.BytesIO(cut), target)
    assert (target / "opt" / "hello").read_bytes() == b"hello\n"


@pytest.mark.parametrize("keep", [512 * 3 + 3, 512 * 2 + 100, 512 * 2 + 2000])
def test_tar_cut_inside_a_member_is_refused(tar, target: Path, keep: int) -> None:
    data = tar().dir("opt").file("opt/big", b"x" * 3000).bytes()
    with pytest.raises(StorageError):
        apply_tar(io.BytesIO(data[:keep]), target)


def test_directory_replaced_by_a_symlink_keeps_its_attributes_off_the_target(tar, target: Path) -> None:
    b = tar().dir("real", 0o700).dir("d", 0o555).symlink("d", "real")
    apply_tar(b.stream(), target)
    assert (target / "d").is_symlink()
    assert stat.S_IMODE((target / "real").stat().st_mode) == 0o700
