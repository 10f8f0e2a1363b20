"""Offline base images: busybox from busybox-static (fast, reproducible), debian with mmdebstrap."""

from __future__ import annotations

import io
import os
import stat
import subprocess
import tarfile
from pathlib import Path

import pytest

from sandbox.errors import BootstrapError
from sandbox.images import bootstrap
from sandbox.images._elf import is_static
from sandbox.images.bootstrap import DEFAULT_PATH, bootstrap_busybox, bootstrap_debian, busybox_rootfs_tar
from sandbox.storage import Store

BUSYBOX = Path("/bin/busybox")
needs_busybox = pytest.mark.skipif(
    not (BUSYBOX.is_file() and is_static(BUSYBOX)),
    reason="busybox-static is not installed (apt-get install busybox-static)",
)


@pytest.fixture
def no_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


@needs_busybox
def test_busybox_image(tmp_path: Path, no_epoch: None) -> None:
    store = Store(tmp_path / "s", "copy")
    image = bootstrap_busybox(store)
    assert image.tags == ["busybox:latest"] and len(image.layers) == 1
    sh = store.resolve_path("busybox", "bin/sh")
    assert sh is not None and os.readlink(sh) == "busybox"
    env = store.resolve_path("busybox", "usr/bin/env")
    assert os.readlink(env) == "../../bin/busybox"
    assert env.resolve() == store.resolve_path("busybox", "bin/busybox").resolve()
    passwd = store.resolve_path("busybox", "etc/passwd").read_text()
    assert passwd.startswith("root:x:0:0:") and "nobody:x:65534:65534:" in passwd
    assert "user:x:1000:1000:user:/home/user:/bin/sh" in passwd
    assert "user:x:1000:" in store.resolve_path("busybox", "etc/group").read_text()
    assert store.resolve_path("busybox", "etc/hostname").read_bytes() == b""
    assert stat.S_IMODE(store.resolve_path("busybox", "tmp").stat().st_mode) == 0o1777
    for d in ("proc", "sys", "dev", "root", "home"):
        assert store.resolve_path("busybox", d).is_dir(), d

    config = store.image_config(image)
    assert config.env == [DEFAULT_PATH]
    assert config.cmd == ["sh"] and config.os == "linux"
    assert config.created == "1970-01-01T00:00:00Z"
    assert len(config.history) == 1 and "BusyBox" in (config.history[0].created_by or "")
    assert config.diff_ids == [store.layer(image.top_layer).diff_id]


@needs_busybox
def test_every_applet_is_linked(no_epoch: None) -> None:
    applets = subprocess.run(
        [str(BUSYBOX), "--list-full"], capture_output=True, text=True, check=True
    ).stdout.split()
    data, version = busybox_rootfs_tar(BUSYBOX)
    with tarfile.open(fileobj=io.BytesIO(data)) as tf:
        members = {m.name: m for m in tf}
    assert version.startswith("BusyBox")
    for applet in applets:
        if applet == "bin/busybox":
            assert members[applet].isreg() and members[applet].mode == 0o755
            continue
        link = members[applet]
        assert link.issym(), applet
        assert os.path.normpath(os.path.join(os.path.dirname(applet), link.linkname)) == "bin/busybox"


@needs_busybox
def test_layer_tar_is_reproducible(no_epoch: None) -> None:
    first, _ = busybox_rootfs_tar(BUSYBOX)
    again, _ = busybox_rootfs_tar(BUSYBOX)
    assert first == again
    with tarfile.open(fileobj=io.BytesIO(first)) as tf:
        members = list(tf)
    assert [m.name for m in members] == sorted(m.name for m in members)
    assert {m.mtime for m in members} == {0}
    assert {(m.uname, m.gname) for m in members} == {("", "")}


@needs_busybox
def test_same_input_same_digests(tmp_path: Path, no_epoch: None) -> None:
    one = bootstrap_busybox(Store(tmp_path / "a", "copy"))
    two = bootstrap_busybox(Store(tmp_path / "b", "copy"))
    assert (one.id, one.manifest_digest, one.layers) == (two.id, two.manifest_digest, two.layers)
    store = Store(tmp_path / "a", "copy")
    assert bootstrap_busybox(store).manifest_digest == one.manifest_digest
    assert len(store.images()) == 1 and len(store.layers()) == 1


@needs_busybox
def test_source_date_epoch_is_honoured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    store = Store(tmp_path / "s", "copy")
    image = bootstrap_busybox(store, tag="busybox:epoch")
    assert store.image_config(image).created == "2023-11-14T22:13:20Z"
    assert store.resolve_path("busybox:epoch", "etc/passwd").stat().st_mtime == 1700000000
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "soon")
    with pytest.raises(BootstrapError):
        bootstrap_busybox(store)


@needs_busybox
@pytest.mark.root
def test_busybox_runs_in_its_own_root(tmp_path: Path, no_epoch: None) -> None:
    store = Store(tmp_path / "s", "copy")
    image = bootstrap_busybox(store)
    root = store.layer(image.top_layer).diff
    out = subprocess.run(
        ["chroot", str(root), "/bin/sh", "-c", "id user; ls /usr/bin/env; echo ok"],
        check=False,
        capture_output=True,
        text=True,
        env={"PATH": DEFAULT_PATH[5:]},
        timeout=30,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [
        "uid=1000(user)",
        "gid=1000(user)",
        "groups=1000(user)",
        "/usr/bin/env",
        "ok",
    ]


def test_missing_busybox(tmp_path: Path) -> None:
    with pytest.raises(BootstrapError) as e:
        bootstrap_busybox(Store(tmp_path / "s"), busybox_path=tmp_path / "nope")
    assert "busybox-static" in (e.value.hint or "")
    assert not (tmp_path / "s").exists()


def test_dynamic_busybox_is_refused(tmp_path: Path) -> None:
    dynamic = Path("/bin/ls")  # any dynamically linked program stands in for Debian's "busybox"
    if not dynamic.is_file() or is_static(dynamic):
        pytest.skip("no dynamically linked /bin/ls here")
    with pytest.raises(BootstrapError) as e:
        bootstrap_busybox(Store(tmp_path / "s"), busybox_path=dynamic)
    assert "busybox-static" in (e.value.hint or "")


def test_missing_mmdebstrap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bootstrap.shutil, "which", lambda name: None)
    with pytest.raises(BootstrapError) as e:
        bootstrap_debian(Store(tmp_path / "s"))
    assert "mmdebstrap" in (e.value.hint or "")


def test_no_apt_source_for_the_suite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bootstrap.shutil, "which", lambda name: "/usr/bin/mmdebstrap")
    (tmp_path / "apt").mkdir()
    with pytest.raises(BootstrapError) as e:
        bootstrap_debian(Store(tmp_path / "s"), etc_apt=tmp_path / "apt")
    assert "mirror" in (e.value.hint or "")


def test_device_nodes_are_dropped_from_the_debian_tar(tmp_path: Path) -> None:
    src = tmp_path / "in.tar"
    with tarfile.open(src, "w") as tf:
        for name, kind in (
            ("dev", tarfile.DIRTYPE),
            ("dev/null", tarfile.CHRTYPE),
            ("dev/sda", tarfile.BLKTYPE),
        ):
            info = tarfile.TarInfo(name)
            info.type = kind
            tf.addfile(info)
        info = tarfile.TarInfo("etc/os-release")
        info.size = 4
        tf.addfile(info, io.BytesIO(b"deb\n"))
        link = tarfile.TarInfo("dev/fd")
        link.type, link.linkname = tarfile.SYMTYPE, "/proc/self/fd"
        tf.addfile(link)
    bootstrap._without_devices(src, tmp_path / "out.tar")
    with tarfile.open(tmp_path / "out.tar") as tf:
        assert tf.getnames() == ["dev", "etc/os-release", "dev/fd"]
        assert tf.extractfile("etc/os-release").read() == b"deb\n"


@pytest.mark.slow
@pytest.mark.root
@pytest.mark.skipif(
    os.environ.get("SANDBOX_TEST_DEBIAN") != "1", reason="takes minutes; set SANDBOX_TEST_DEBIAN=1"
)
def test_debian_bookworm(tmp_path: Path) -> None:
    store = Store(tmp_path / "s", "overlay")
    image = bootstrap_debian(store)
    assert image.tags == ["debian:bookworm"]
    assert store.resolve_path("debian:bookworm", "usr/bin/bash") is not None
    assert "bookworm" in store.resolve_path("debian:bookworm", "etc/os-release").read_text()
    assert store.resolve_path("debian:bookworm", "dev/null") is None
    assert store.image_config(image).cmd == ["bash"]
    assert not [p for p in store.root.iterdir() if p.name.startswith(".bootstrap-")]
