"""Hostile layer tarballs are refused, and nothing outside the target is created or changed.

Each test extracts next to a sentinel directory (holding ``secret`` and ``sub/keep``) and
checks the error and that the sentinel's tree is exactly as before.
"""

from __future__ import annotations

import os
import tarfile
from pathlib import Path

import pytest

from sandbox.errors import UnsafeArchive
from sandbox.storage.tarapply import apply_tar

MODES = ["delete", pytest.param("overlay", marks=pytest.mark.root)]


def refuse(  # type: ignore[no-untyped-def]
    builder, target: Path, sentinel, mode: str = "delete", reason: str = ""
) -> UnsafeArchive:
    with pytest.raises(UnsafeArchive) as e:
        apply_tar(builder.stream(), target, mode)  # type: ignore[arg-type]
    assert sentinel.untouched(), "a hostile tar changed something outside the target"
    assert not (target.parent / "pwned").exists()
    if reason:
        assert reason in e.value.reason
    return e.value


@pytest.mark.parametrize("mode", MODES)
def test_absolute_path(tar, target, sentinel, mode) -> None:
    err = refuse(tar().file(str(sentinel.path / "secret"), b"owned"), target, sentinel, mode, "absolute")
    assert err.member.endswith("secret")


@pytest.mark.parametrize("mode", MODES)
def test_dotdot_component(tar, target, sentinel, mode) -> None:
    refuse(tar().file("../sentinel/secret", b"owned"), target, sentinel, mode, "'..'")


def test_dotdot_in_the_middle(tar, target, sentinel) -> None:
    refuse(tar().dir("a").file("a/../../sentinel/new", b"x"), target, sentinel, reason="'..'")
    assert not (sentinel.path / "new").exists()


@pytest.mark.parametrize("mode", MODES)
def test_write_through_absolute_symlink(tar, target, sentinel, mode) -> None:
    b = tar().symlink("evil", str(sentinel.path)).file("evil/secret", b"owned")
    refuse(b, target, sentinel, mode, "points outside")


def test_write_through_relative_symlink_climbing_out(tar, target, sentinel) -> None:
    b = tar().symlink("evil", "../sentinel").file("evil/pwned", b"x")
    refuse(b, target, sentinel, reason="climbs out")


def test_write_through_chained_symlinks(tar, target, sentinel) -> None:
    b = tar().dir("d").symlink("d/a", "../b").symlink("b", "c/../../sentinel").file("d/a/sub/keep", b"x")
    refuse(b, target, sentinel, reason="climbs out")


def test_mkdir_through_symlink(tar, target, sentinel) -> None:
    refuse(tar().symlink("evil", "../sentinel").dir("evil/newdir"), target, sentinel)
    assert not (sentinel.path / "newdir").exists()


@pytest.mark.parametrize("mode", MODES)
def test_hardlink_to_absolute_path(tar, target, sentinel, mode) -> None:
    refuse(tar().hardlink("h", str(sentinel.path / "secret")), target, sentinel, mode, "absolute")
    assert not (target / "h").exists()


def test_hardlink_with_dotdot(tar, target, sentinel) -> None:
    refuse(tar().hardlink("h", "../sentinel/secret"), target, sentinel, reason="'..'")


def test_hardlink_through_escaping_symlink(tar, target, sentinel) -> None:
    # Linking an outside file in would let a later write (or a container) change it.
    refuse(
        tar().symlink("evil", "../sentinel").hardlink("h", "evil/secret").file("h", b"owned"),
        target,
        sentinel,
        reason="climbs out",
    )


def test_hardlink_to_missing_target(tar, target, sentinel) -> None:
    refuse(tar().hardlink("h", "nothing/here"), target, sentinel, reason="not in the layer")


@pytest.mark.parametrize("kind", [tarfile.CHRTYPE, tarfile.BLKTYPE])
def test_device_nodes(tar, target, sentinel, kind) -> None:
    refuse(tar().device("dev/sda", kind, 8, 0), target, sentinel, reason="device")
    assert not (target / "dev" / "sda").exists()


def test_overlay_style_whiteout_device_is_not_accepted(tar, target, sentinel) -> None:
    refuse(tar().device("etc/passwd", tarfile.CHRTYPE, 0, 0), target, sentinel, reason="device")


@pytest.mark.parametrize("mode", MODES)
def test_whiteout_named_dotdot(tar, target, sentinel, mode) -> None:
    (target / "d").mkdir()
    refuse(tar().file("d/.wh..."), target, sentinel, mode, "whiteout")
    assert (target / "d").is_dir()


def test_whiteout_with_dotdot_path(tar, target, sentinel) -> None:
    refuse(tar().file("../sentinel/.wh.secret"), target, sentinel, reason="'..'")


@pytest.mark.parametrize("mode", MODES)
def test_whiteout_through_escaping_symlink(tar, target, sentinel, mode) -> None:
    b = tar().symlink("evil", "../sentinel").file("evil/.wh.secret")
    refuse(b, target, sentinel, mode, "climbs out")


def test_opaque_through_escaping_symlink(tar, target, sentinel) -> None:
    # In delete mode an opaque marker empties the directory: aimed outside, it would wipe it.
    refuse(
        tar().symlink("evil", str(sentinel.path)).file("evil/.wh..wh..opq"),
        target,
        sentinel,
        reason="points outside",
    )


def test_symlink_loop_is_refused(tar, target, sentinel) -> None:
    refuse(
        tar().symlink("a", "b").symlink("b", "a").file("a/x", b"x"), target, sentinel, reason="symbolic links"
    )


def test_file_over_symlink_replaces_the_link_not_its_target(tar, target, sentinel) -> None:
    """Not refused, but the last component is never followed: the link itself is replaced."""
    apply_tar(tar().symlink("link", "../sentinel/secret").file("link", b"replaced").stream(), target)
    assert sentinel.untouched()
    assert not (target / "link").is_symlink()
    assert (target / "link").read_bytes() == b"replaced"


def test_dir_over_symlink_replaces_the_link(tar, target, sentinel) -> None:
    apply_tar(tar().symlink("d", "../sentinel").dir("d").file("d/x", b"x").stream(), target)
    assert sentinel.untouched()
    assert (target / "d").is_dir() and not (target / "d").is_symlink()
    assert (target / "d" / "x").read_bytes() == b"x"


def test_symlink_members_themselves_may_point_anywhere(tar, target, sentinel) -> None:
    apply_tar(tar().symlink("abs", "/etc/passwd").symlink("rel", "../../x").stream(), target)
    assert os.readlink(target / "abs") == "/etc/passwd"
    assert os.readlink(target / "rel") == "../../x"
    assert sentinel.untouched()
