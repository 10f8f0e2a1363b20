"""Volumes in real containers: named, anonymous, bind, read-only, tmpfs, --volumes-from,
copy-up from an image's VOLUME, and rm -v."""

from __future__ import annotations

import io
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox.errors import InvalidParameter, VolumeInUse

from .conftest import Harness
from .wired import Wired, wired_service

pytestmark = pytest.mark.root


@pytest.fixture
def w(h: Harness) -> Iterator[Wired]:
    yield from wired_service(h)


def test_named_volume_survives_rm_and_is_seen_by_a_new_container(w: Wired, unique: str) -> None:
    vol = f"{unique}-data"
    first = w.run(["sh", "-c", "echo kept > /data/f"], HostConfig={"Binds": [f"{vol}:/data"]})
    assert w.finish(first)[0] == 0
    w.svc.remove(first, volumes=True)
    assert w.vol.exists(vol), "rm -v never removes a named volume"
    second = w.run(["cat", "/data/f"], HostConfig={"Binds": [f"{vol}:/data"]})
    assert w.finish(second) == (0, "kept\n")
    mounts = w.svc.inspect(second)["Mounts"]
    assert [(m["Type"], m["Name"], m["Destination"], m["RW"]) for m in mounts] == [("volume", vol, "/data", True)]


def test_two_containers_sharing_a_volume_see_each_others_writes(w: Wired, unique: str) -> None:
    binds = {"Binds": [f"{unique}-shared:/s"]}
    reader = w.run(["sh", "-c", "while [ ! -f /s/from-writer ]; do sleep 0.05; done; cat /s/from-writer"],
                   HostConfig=binds)
    writer = w.run(["sh", "-c", "echo hello > /s/from-writer"], HostConfig=binds)
    assert w.finish(writer)[0] == 0
    assert w.finish(reader) == (0, "hello\n")


def test_bind_mount_shows_host_changes(w: Wired, tmp_path: Path) -> None:
    host = tmp_path / "hostdir"
    host.mkdir()
    cid = w.run(["sh", "-c", "echo ready; while [ ! -f /h/new ]; do sleep 0.05; done; cat /h/new"],
                HostConfig={"Binds": [f"{host}:/h"]})
    w.wait_output(cid, "ready")
    (host / "new").write_text("from the host\n")
    assert w.finish(cid) == (0, "ready\nfrom the host\n")


def test_read_only_mount_refuses_writes(w: Wired, unique: str, tmp_path: Path) -> None:
    cid = w.run(["sh", "-c", "echo x > /ro/f"], HostConfig={"Binds": [f"{unique}-ro:/ro:ro"]})
    code, out = w.finish(cid)
    assert code != 0 and "Read-only file system" in out
    host = tmp_path / "src"
    host.mkdir()
    cid = w.run(["sh", "-c", "touch /b/f"],
                HostConfig={"Mounts": [{"Type": "bind", "Source": str(host), "Target": "/b", "ReadOnly": True}]})
    assert w.finish(cid)[0] != 0 and not (host / "f").exists()


def test_tmpfs_mount(w: Wired) -> None:
    cid = w.run(["sh", "-c", "grep ' /scratch ' /proc/mounts"], HostConfig={"Tmpfs": {"/scratch": "size=1m"}})
    code, out = w.finish(cid)
    assert code == 0 and out.startswith("tmpfs /scratch tmpfs") and "size=1024k" in out


def _image_with_volume(w: Wired, unique: str) -> str:
    """busybox plus /seed/hello.txt, with VOLUME /seed."""
    store = w.svc.eng.store
    base = store.image("busybox")
    data = io.BytesIO()
    with tarfile.open(fileobj=data, mode="w") as tar:
        d = tarfile.TarInfo("seed")
        d.type, d.mode = tarfile.DIRTYPE, 0o755
        tar.addfile(d)
        body = b"from the image\n"
        f = tarfile.TarInfo("seed/hello.txt")
        f.size, f.mode = len(body), 0o644
        tar.addfile(f, io.BytesIO(body))
    data.seek(0)
    chain = store.layer_chain(base.top_layer)
    layer = store.import_layer_tar(data, parent=chain[-1])
    config = store.image_config(base)
    config.volumes = ["/seed"]
    ref = f"{unique}:vol"
    store.create_image([*chain, layer], config, [ref])
    return ref


def test_image_volume_starts_with_the_images_files(w: Wired, unique: str) -> None:
    ref = _image_with_volume(w, unique)
    cid = w.svc.create({"Image": ref, "Cmd": ["sh", "-c", "cat /seed/hello.txt; echo more > /seed/new"]})["Id"]
    w.svc.start(cid)
    assert w.finish(cid) == (0, "from the image\n")
    [mount] = w.svc.inspect(cid)["Mounts"]
    assert mount["Type"] == "volume" and mount["Destination"] == "/seed"
    data = Path(mount["Source"])
    assert (data / "hello.txt").read_text() == "from the image\n" and (data / "new").read_text() == "more\n"
    assert w.vol.is_anonymous(mount["Name"])
    w.svc.remove(cid, volumes=True)
    assert not w.vol.exists(mount["Name"]), "rm -v removes the container's anonymous volume"


def test_named_volume_copy_up_happens_once(w: Wired, unique: str) -> None:
    ref = _image_with_volume(w, unique)
    vol = f"{unique}-seed"
    first = w.svc.create({"Image": ref, "Cmd": ["rm", "/seed/hello.txt"],
                          "HostConfig": {"Binds": [f"{vol}:/seed"]}})["Id"]
    w.svc.start(first)
    assert w.finish(first)[0] == 0
    second = w.svc.create({"Image": ref, "Cmd": ["ls", "/seed"], "HostConfig": {"Binds": [f"{vol}:/seed"]}})["Id"]
    w.svc.start(second)
    assert w.finish(second) == (0, ""), "a volume is filled from the image only the first time"


def test_volumes_from_shares_mounts_and_can_make_them_read_only(w: Wired, unique: str) -> None:
    src = w.svc.create({"Image": "busybox", "Cmd": ["true"],
                        "HostConfig": {"Binds": [f"{unique}-vf:/shared"]}}, f"{unique}-src")["Id"]
    rw = w.run(["sh", "-c", "echo one > /shared/f"], HostConfig={"VolumesFrom": [f"{unique}-src"]})
    assert w.finish(rw)[0] == 0
    ro = w.run(["sh", "-c", "cat /shared/f; echo two > /shared/f"], HostConfig={"VolumesFrom": [f"{unique}-src:ro"]})
    code, out = w.finish(ro)
    assert code != 0 and out.startswith("one\n") and "Read-only file system" in out
    assert sorted(w.svc.volume_users(f"{unique}-vf")) == sorted([src, rw, ro])


def test_volume_in_use_cannot_be_removed(w: Wired, unique: str) -> None:
    vol = f"{unique}-busy"
    cid = w.svc.create({"Image": "busybox", "Cmd": ["true"], "HostConfig": {"Binds": [f"{vol}:/v"]}})["Id"]
    with pytest.raises(VolumeInUse, match="volume is in use"):
        w.vol.remove(vol)
    w.svc.remove(cid)
    w.vol.remove(vol)
    assert not w.vol.exists(vol)


@pytest.mark.parametrize("host, words", [
    ({"Binds": ["bad/name:/x"]}, "invalid characters"),
    ({"Binds": ["v:relative"]}, "must be absolute"),
    ({"VolumesFrom": ["nosuchcontainer"]}, "No such container"),
    ({"VolumesFrom": ["x:rx"]}, "invalid mode"),
])
def test_bad_mounts_are_refused_at_create(w: Wired, host: dict, words: str) -> None:
    from sandbox.errors import SandboxError

    with pytest.raises(SandboxError, match=words):
        w.svc.create({"Image": "busybox", "Cmd": ["true"], "HostConfig": host})
    assert w.svc.list(all=True) == []


def test_anonymous_volumes_of_a_failed_create_are_removed(w: Wired) -> None:
    before = {v["Name"] for v in w.vol.list()["Volumes"]}
    # The volumes are made before the spec check refuses the user: the undo must take them.
    with pytest.raises(InvalidParameter, match="unable to find user"):
        w.svc.create({"Image": "busybox", "Cmd": ["true"], "User": "nosuchuser",
                      "HostConfig": {"Binds": ["/anon"]}})
    assert {v["Name"] for v in w.vol.list()["Volumes"]} == before
