"""``docker cp`` through a container's mounts: volumes and binds of running and stopped
containers, read-only refusals, and no way out through a volume's symlinks (root only)."""

from __future__ import annotations

import io
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox.errors import InvalidParameter, NoSuchContainer

from .conftest import Harness, eventually
from .wired import Wired, wired_service

pytestmark = pytest.mark.root


@pytest.fixture
def w(h: Harness) -> Iterator[Wired]:
    yield from wired_service(h)


def _tar(name: str, data: bytes) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        info = tarfile.TarInfo(name)
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def _files(w: Wired, cid: str, path: str) -> dict[str, bytes]:
    _, tar = w.svc.archive_get(cid, path)
    with tarfile.open(fileobj=tar) as t:
        return {m.name: t.extractfile(m).read() for m in t.getmembers() if m.isreg()}  # type: ignore[union-attr]


@pytest.mark.parametrize("running", [False, True], ids=["stopped", "running"])
def test_cp_reads_and_writes_volumes_and_binds(w: Wired, unique: str, tmp_path: Path, running: bool) -> None:
    host = tmp_path / "site"
    host.mkdir()
    (host / "index.html").write_text("from the host\n")
    cmd = ["sh", "-c", "echo kept > /data/note.txt" + ("; sleep 300" if running else "")]
    cid = w.run(cmd, f"{unique}-c", HostConfig={"Binds": [f"{unique}-v:/data", f"{host}:/site"]})
    if running:
        # The container stays up: its mounts are seen through its own root.
        eventually(lambda: _files(w, cid, "/data").get("data/note.txt"), what="the note")
    else:
        assert w.finish(cid)[0] == 0
    assert w.svc.archive_stat(cid, "/data/note.txt")["size"] == 5
    assert _files(w, cid, "/data/note.txt") == {"note.txt": b"kept\n"}
    assert _files(w, cid, "/data") == {"data/note.txt": b"kept\n"}
    assert _files(w, cid, "/site/index.html") == {"index.html": b"from the host\n"}
    whole = _files(w, cid, "/")
    assert whole["data/note.txt"] == b"kept\n" and whole["site/index.html"] == b"from the host\n"
    # Into a volume and a bind: the files land in their host sources.
    w.svc.archive_put(cid, "/data", _tar("in.txt", b"copied in\n"))
    w.svc.archive_put(cid, "/site", _tar("new.html", b"new\n"))
    assert (Path(w.vol.inspect(f"{unique}-v")["Mountpoint"]) / "in.txt").read_text() == "copied in\n"
    assert (host / "new.html").read_text() == "new\n"


def test_cp_refuses_read_only_mounts_and_roots(w: Wired, unique: str, tmp_path: Path) -> None:
    cid = w.run(["true"], f"{unique}-ro", HostConfig={"Binds": [f"{unique}-rov:/ro:ro", f"{unique}-rwv:/rw"],
                                                      "ReadonlyRootfs": True})
    assert w.finish(cid)[0] == 0
    with pytest.raises(InvalidParameter, match="mounted volume is marked read-only"):
        w.svc.archive_put(cid, "/ro", _tar("x", b"x"))
    with pytest.raises(InvalidParameter, match="container rootfs is marked read-only"):
        w.svc.archive_put(cid, "/tmp", _tar("x", b"x"))
    w.svc.archive_put(cid, "/rw", _tar("ok", b"ok"))
    assert not list(Path(w.vol.inspect(f"{unique}-rov")["Mountpoint"]).iterdir())


def test_symlinks_in_a_volume_do_not_lead_out(w: Wired, unique: str, tmp_path: Path) -> None:
    secret = tmp_path / "host-secret"
    secret.write_text("host only\n")
    cid = w.run(["sh", "-c", f"ln -s {secret} /data/out; ln -s ../../../../.. /data/climb"],
                f"{unique}-l", HostConfig={"Binds": [f"{unique}-lv:/data"]})
    assert w.finish(cid)[0] == 0
    # The link itself is copied, as the link it is; followed, it names a container path.
    assert w.svc.archive_stat(cid, "/data/out")["linkTarget"] == str(secret)
    assert _files(w, cid, "/data/out") == {}
    with pytest.raises(NoSuchContainer, match="Could not find the file"):
        w.svc.archive_get(cid, "/data/out/x")
    with pytest.raises(NoSuchContainer, match="Could not find the file"):
        w.svc.archive_put(cid, "/data/out", _tar("x", b"x"))
    # ../.. from inside the volume stops at the container's root: its own /etc/passwd.
    assert b"root:x:0:0" in _files(w, cid, "/data/climb/etc/passwd")["passwd"]
    # Extracting through the link writes into the container, never into the host file.
    w.svc.archive_put(cid, "/data/climb/tmp", _tar("host-secret", b"overwritten\n"))
    assert secret.read_text() == "host only\n"
