"""Paths resolved inside a root, and trees written to tar from descriptors."""

from __future__ import annotations

import io
import os
import stat
import tarfile
from pathlib import Path

import pytest

from sandbox.engine.containers.fspath import PathNotFound, go_file_mode, resolve
from sandbox.engine.containers.tarwalk import TreeWriter


@pytest.fixture
def root(tmp_path: Path) -> Path:
    r = tmp_path / "root"
    (r / "etc").mkdir(parents=True)
    (r / "etc" / "passwd").write_text("inside\n")
    (r / "abs").symlink_to("/etc")               # absolute: means the root's /etc
    (r / "climb").symlink_to("../../../../..")    # climbing: stops at the root
    (r / "etc" / "loop").symlink_to("loop")
    (tmp_path / "secret").write_text("outside\n")
    return r


def _read(root: Path, path: str, follow_last: bool = False) -> str:
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        r = resolve(fd, path, follow_last)
        try:
            if r.st is None:
                return "<missing>"
            f = os.open(r.name, os.O_RDONLY | os.O_NOFOLLOW, dir_fd=r.parent_fd)
            with os.fdopen(f) as fh:
                return fh.read()
        finally:
            r.close()
    finally:
        os.close(fd)


def test_symlinks_and_dotdot_stay_inside(root: Path) -> None:
    assert _read(root, "/etc/passwd") == "inside\n"
    assert _read(root, "/abs/passwd") == "inside\n"
    assert _read(root, "/climb/etc/passwd") == "inside\n"
    assert _read(root, "/../../secret") == "<missing>"
    assert _read(root, "/climb/../secret") == "<missing>"
    with pytest.raises(PathNotFound):
        _read(root, "/nope/passwd")
    with pytest.raises(OSError, match="too many levels"):
        _read(root, "/etc/loop", follow_last=True)


def test_last_component_is_not_followed_unless_asked(root: Path) -> None:
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    r = resolve(fd, "/abs")
    assert r.st is not None and stat.S_ISLNK(r.st.st_mode)
    r.close()
    r = resolve(fd, "/abs", follow_last=True)
    assert r.st is not None and stat.S_ISDIR(r.st.st_mode) and r.name == "etc"
    r.close()
    r = resolve(fd, "/")
    assert r.name is None
    r.close()
    os.close(fd)


def test_go_file_mode() -> None:
    assert go_file_mode(stat.S_IFDIR | 0o755) == (1 << 31) | 0o755
    assert go_file_mode(stat.S_IFLNK | 0o777) == (1 << 27) | 0o777
    assert go_file_mode(stat.S_IFREG | stat.S_ISUID | 0o755) == (1 << 23) | 0o755


def test_tree_writer(root: Path) -> None:
    (root / "etc" / "hard").hardlink_to(root / "etc" / "passwd")
    buf = io.BytesIO()
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    w = TreeWriter(buf, os.fstat(fd).st_dev)
    w.children(fd)
    w.close()
    os.close(fd)
    buf.seek(0)
    with tarfile.open(fileobj=buf) as t:
        members = {m.name: m for m in t.getmembers()}
        assert members["abs"].issym() and members["abs"].linkname == "/etc"
        regular = "etc/hard" if members["etc/hard"].isreg() else "etc/passwd"
        assert t.extractfile(regular).read() == b"inside\n"
        assert members["etc/passwd"].isreg() != members["etc/hard"].isreg()  # one is a hard link to the other


@pytest.fixture
def mounted(root: Path, tmp_path: Path) -> dict[str, str]:
    """Host sources of a stopped container's mounts: a volume at /data, a bound file at
    /etc/hostname (named otherwise on the host), and a volume nested at /data/logs."""
    vol = tmp_path / "vol"
    (vol / "sub").mkdir(parents=True)
    (vol / "note.txt").write_text("kept\n")
    (vol / "up").symlink_to("../etc/passwd")        # relative: climbs to the container's /etc
    (vol / "abs").symlink_to("/etc/passwd")          # absolute: the container's /etc
    (vol / "out").symlink_to(str(tmp_path / "secret"))  # a host path: means the container's
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "app.log").write_text("log\n")
    (root / "data").mkdir()
    (root / "data" / "hidden-by-mount").write_text("layer\n")
    host_file = tmp_path / "hostname-file"
    host_file.write_text("box\n")
    return {"/data": str(vol), "/data/logs": str(logs), "/etc/hostname": str(host_file)}


def _read_mounted(root: Path, path: str, mounts: dict[str, str], follow_last: bool = False) -> str:
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        r = resolve(fd, path, follow_last, mounts=mounts)
        try:
            if r.st is None:
                return "<missing>"
            f = os.open(r.name or ".", os.O_RDONLY | os.O_NOFOLLOW, dir_fd=r.parent_fd)
            with os.fdopen(f) as fh:
                return fh.read()
        finally:
            r.close()
    finally:
        os.close(fd)


def test_resolve_steps_into_mount_sources(root: Path, mounted: dict[str, str]) -> None:
    assert _read_mounted(root, "/data/note.txt", mounted) == "kept\n"
    assert _read_mounted(root, "/data/logs/app.log", mounted) == "log\n"
    assert _read_mounted(root, "/etc/hostname", mounted) == "box\n"
    assert _read_mounted(root, "/data/hidden-by-mount", mounted) == "<missing>"
    # Without the table the layer's own directory is what is there.
    assert _read(root, "/data/hidden-by-mount") == "layer\n"
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    r = resolve(fd, "/data/sub/../logs/.", mounts=mounted)
    assert (r.path, r.base, r.name) == ("/data/logs", "logs", None)
    r.close()
    r = resolve(fd, "/etc/hostname", mounts=mounted)
    assert (r.path, r.base, r.name) == ("/etc/hostname", "hostname", "hostname-file")
    r.close()
    with pytest.raises(PathNotFound):
        resolve(fd, "/etc/hostname/below", mounts=mounted)
    os.close(fd)


def test_symlinks_inside_a_mount_stay_inside_the_container(root: Path, mounted: dict[str, str]) -> None:
    assert _read_mounted(root, "/data/up", mounted, follow_last=True) == "inside\n"
    assert _read_mounted(root, "/data/abs", mounted, follow_last=True) == "inside\n"
    # A link naming a host path is read as a container path: the host's file is not reached.
    with pytest.raises(PathNotFound):
        _read_mounted(root, "/data/out", mounted, follow_last=True)
    assert _read_mounted(root, "/data/../../../secret", mounted) == "<missing>"


def test_tree_writer_crosses_the_containers_mounts(root: Path, mounted: dict[str, str]) -> None:
    buf = io.BytesIO()
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    w = TreeWriter(buf, os.fstat(fd).st_dev, mounted)
    w.add(fd, None, ".", os.fstat(fd), "/")
    w.close()
    os.close(fd)
    buf.seek(0)
    with tarfile.open(fileobj=buf) as t:
        names = set(t.getnames())
        assert t.extractfile("data/note.txt").read() == b"kept\n"
        assert t.extractfile("data/logs/app.log").read() == b"log\n"
        assert t.extractfile("etc/hostname").read() == b"box\n"
        assert t.getmember("data/out").issym()  # written as the link it is, not followed
    assert "data/hidden-by-mount" not in names
