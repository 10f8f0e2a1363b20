"""RootfsLayout mount options (no root, with the recording fake) and real mounts (root)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox.errors import StorageError
from sandbox.linux import mountflags as mf
from sandbox.linux.fake import RecordingSyscalls
from sandbox.linux.trace import ListSink, Tracer
from sandbox.storage import ImageConfig, RootfsLayout, Store
from sandbox.storage.rootfs import is_mountpoint, mount_layout


def test_overlay_data_orders_and_escapes() -> None:
    layout = RootfsLayout("overlay", [Path("/l/top"), Path("/l/a,b:c")], Path("/c/upper"), Path("/c/work"))
    data = layout.overlay_data()
    assert data.startswith("lowerdir=/l/top:/l/a\\,b\\:c,upperdir=/c/upper,workdir=/c/work")
    assert "index=off" in data and "redirect_dir=off" in data
    assert "upperdir" not in layout.overlay_data(readonly=True)


@pytest.mark.parametrize(
    "layout",
    [
        RootfsLayout("overlay", []),
        RootfsLayout("overlay", [Path("/l")]),  # writable without upper/work
        RootfsLayout(
            "overlay", [Path("/layers/" + "x" * 90)] * 60, Path("/u"), Path("/w")
        ),  # longer than a page
        RootfsLayout("dir", path=Path("/r")),
    ],
)
def test_overlay_data_refuses(layout: RootfsLayout) -> None:
    with pytest.raises(StorageError):
        layout.overlay_data()


def test_layout_round_trips_through_json() -> None:
    layout = RootfsLayout("overlay", [Path("/a"), Path("/b")], Path("/u"), Path("/w"), Path("/m"))
    assert RootfsLayout.from_dict(layout.to_dict()) == layout
    with pytest.raises(StorageError):
        RootfsLayout.from_dict({"kind": "zfs"})


def test_mount_layout_calls() -> None:
    fake = RecordingSyscalls()
    layout = RootfsLayout("overlay", [Path("/a"), Path("/b")], Path("/u"), Path("/w"))
    mount_layout(layout, Path("/t"), sys=fake)
    mount_layout(RootfsLayout("dir", path=Path("/r")), Path("/t2"), readonly=True, sys=fake)
    (ov, bind, remount) = fake.of("mount")
    assert ov[:3] == ("overlay", "/t", "overlay") and ov[4] == layout.overlay_data()
    assert bind[:2] == ("/r", "/t2") and bind[3] & mf.MS_BIND
    assert remount[3] & mf.MS_REMOUNT and remount[3] & mf.MS_RDONLY


def tree_digest(path: Path) -> str:
    h = hashlib.sha256()
    for dirpath, dirnames, filenames in sorted(os.walk(path)):
        dirnames.sort()
        for name in sorted(filenames + dirnames):
            p = os.path.join(dirpath, name)
            st = os.lstat(p)
            h.update(f"{os.path.relpath(p, path)} {st.st_mode} {st.st_size} {st.st_mtime_ns}".encode())
            if os.path.isfile(p) and not os.path.islink(p):
                h.update(Path(p).read_bytes())
    return h.hexdigest()


@pytest.fixture
def mounted() -> Iterator[list[Path]]:
    """Targets a test mounts on; detached afterwards even when the test fails."""
    from sandbox.linux.syscalls import LinuxSyscalls

    targets: list[Path] = []
    yield targets
    for t in reversed(targets):
        if is_mountpoint(t):
            LinuxSyscalls().umount2(str(t), mf.MNT_DETACH)


@pytest.mark.root
@pytest.mark.parametrize("driver", ["overlay", "copy"])
def test_image_view_matches_the_kernel(driver: str, tmp_path: Path, tar, mounted: list[Path]) -> None:
    sink = ListSink()
    store = Store(tmp_path / "s", driver, tracer=Tracer(sink))
    l1 = store.import_layer_tar(
        tar().file("a", b"a").file("d/x", b"x").file("d/y", b"y").file("gone", b"g").stream()
    )
    l2 = store.import_layer_tar(tar().whiteout("gone").opaque("d").file("d/z", b"z").stream(), parent=l1)
    store.create_image([l1, l2], ImageConfig(), ["v:1"])
    target = tmp_path / "view"
    target.mkdir()
    mounted.append(target)
    store.mount_image("v:1", target)
    assert sorted(os.listdir(target)) == ["a", "d"]
    assert sorted(os.listdir(target / "d")) == ["z"]
    with pytest.raises(OSError):
        (target / "new").write_text("x")  # read-only
    assert "mount" in sink.ops()
    store.unmount(target)
    assert not is_mountpoint(target)


@pytest.mark.root
def test_single_layer_image_view(tmp_path: Path, tar, mounted: list[Path]) -> None:
    store = Store(tmp_path / "s", "overlay")
    layer = store.import_layer_tar(tar().file("only", b"1").stream())
    store.create_image([layer], ImageConfig(), ["one:1"])
    target = tmp_path / "view"
    target.mkdir()
    mounted.append(target)
    store.mount_image("one:1", target)  # overlay needs two lowers without an upper: one is empty
    assert os.listdir(target) == ["only"]
    store.unmount(target)


@pytest.mark.root
def test_container_writes_land_in_upper_only(tmp_path: Path, tar, mounted: list[Path]) -> None:
    store = Store(tmp_path / "s", "overlay")
    layer = store.import_layer_tar(tar().file("etc/passwd", b"root\n").file("bin/sh", b"sh").stream())
    store.create_image([layer], ImageConfig(), ["w:1"])
    before = tree_digest(layer.diff)
    layout = store.create_container_layer("c1", "w:1")
    mounted.append(layout.path)
    try:
        root = store.mount_container("c1")
        assert is_mountpoint(root)
        (root / "etc" / "passwd").write_bytes(b"changed\n")
        (root / "tmpfile").write_bytes(b"t")
        os.unlink(root / "bin" / "sh")
    finally:
        store.unmount_container("c1")
    assert (layout.upperdir / "etc" / "passwd").read_bytes() == b"changed\n"
    assert (layout.upperdir / "tmpfile").exists()
    st = os.lstat(layout.upperdir / "bin" / "sh")
    assert st.st_rdev == 0 and (st.st_mode & 0o170000) == 0o020000  # a whiteout in the upper dir
    assert tree_digest(layer.diff) == before  # the image layer is unchanged
    store.remove_container_layer("c1")
    assert not (tmp_path / "s" / "containers" / "c1").exists()


def test_is_mountpoint_agrees_with_os_path_ismount(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "f").write_text("x")
    (tmp_path / "link").symlink_to("/")
    for p in [Path("/"), Path("/proc"), Path("/sys"), tmp_path, tmp_path / "d", tmp_path / "f",
              tmp_path / "link", tmp_path / "missing", tmp_path / "f" / "below"]:
        assert is_mountpoint(p) == os.path.ismount(p), p


@pytest.mark.root
def test_is_mountpoint_sees_mounts_as_os_path_ismount_does(tmp_path: Path, mounted: list[Path]) -> None:
    """A tmpfs is seen; a bind mount within one file system is not, by either (the same
    device, and its root is not its own parent)."""
    from sandbox.linux.syscalls import LinuxSyscalls

    sys = LinuxSyscalls()
    (tmp_path / "src").mkdir()
    tmpfs, bind = tmp_path / "tmpfs", tmp_path / "bind"
    for target in (tmpfs, bind):
        target.mkdir()
        mounted.append(target)
    sys.mount("tmpfs", str(tmpfs), "tmpfs", 0)
    sys.mount(str(tmp_path / "src"), str(bind), None, mf.MS_BIND)
    try:
        assert is_mountpoint(tmpfs) and os.path.ismount(tmpfs)
        assert is_mountpoint(bind) == os.path.ismount(bind)
    finally:
        sys.umount2(str(bind), mf.MNT_DETACH)  # the fixture cannot tell that it is mounted
    sys.umount2(str(tmpfs), 0)
    assert not is_mountpoint(tmpfs)


@pytest.mark.root
def test_remove_container_layer_refuses_a_mounted_upper(tmp_path: Path, tar, mounted: list[Path]) -> None:
    from sandbox.linux.syscalls import LinuxSyscalls

    store = Store(tmp_path / "s", "overlay")
    layer = store.import_layer_tar(tar().file("a", b"a").stream())
    store.create_image([layer], ImageConfig(), ["m:1"])
    layout = store.create_container_layer("c1", "m:1")
    assert layout.upperdir is not None
    mounted.append(layout.upperdir)
    LinuxSyscalls().mount("tmpfs", str(layout.upperdir), "tmpfs", 0)
    with pytest.raises(StorageError, match="still mounted"):
        store.remove_container_layer("c1")
    LinuxSyscalls().umount2(str(layout.upperdir), 0)
    store.remove_container_layer("c1")
    assert not (tmp_path / "s" / "containers" / "c1").exists()
