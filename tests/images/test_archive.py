"""save/load (docker-archive and OCI layout), import of a rootfs tarball, and export."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import lzma
import os
import shutil
import stat
import subprocess
import tarfile
from pathlib import Path

import pytest

from sandbox.errors import ArchiveError, DigestMismatch, InvalidChange, UnsafeArchive
from sandbox.images._elf import is_static
from sandbox.images.archive import apply_changes, export_image, export_rootfs, import_rootfs, load, save
from sandbox.images.bootstrap import bootstrap_busybox
from sandbox.storage import Image, ImageConfig, Store
from sandbox.storage import mediatypes as mt

BUSYBOX = Path("/bin/busybox")
needs_skopeo = pytest.mark.skipif(shutil.which("skopeo") is None, reason="skopeo is not installed")


def _tar(members: list[tuple[tarfile.TarInfo, bytes | None]]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for info, data in members:
            if data is not None:
                info.size = len(data)
            tf.addfile(info, io.BytesIO(data) if data is not None else None)
    return buf.getvalue()


def _file(name: str, data: bytes, mode: int = 0o644) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.mode, info.mtime = mode, 1_600_000_000
    return info, data


def _entry(name: str, kind: bytes, link: str = "", mode: int = 0o755) -> tuple[tarfile.TarInfo, None]:
    info = tarfile.TarInfo(name)
    info.type, info.linkname, info.mode, info.mtime = kind, link, mode, 1_600_000_000
    return info, None


def _tree(root: Path) -> dict[str, tuple[str, int, bytes | str | None]]:
    out: dict[str, tuple[str, int, bytes | str | None]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(dirpath, name)
            st = path.lstat()
            rel = str(path.relative_to(root))
            if stat.S_ISLNK(st.st_mode):
                out[rel] = ("l", 0, os.readlink(path))
            elif stat.S_ISDIR(st.st_mode):
                out[rel] = ("d", stat.S_IMODE(st.st_mode), None)
            else:
                out[rel] = ("f", stat.S_IMODE(st.st_mode), path.read_bytes())
    return out


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "store", "copy")


@pytest.fixture
def busybox(store: Store, monkeypatch: pytest.MonkeyPatch) -> Image:
    if not (BUSYBOX.is_file() and is_static(BUSYBOX)):
        pytest.skip("busybox-static is not installed (apt-get install busybox-static)")
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    return bootstrap_busybox(store)


@pytest.fixture
def app(store: Store, busybox: Image) -> Image:
    """busybox plus a gzip-compressed layer, tagged app:1 and app:latest."""
    data = gzip.compress(_tar([_file("app/hello.txt", b"hello\n"), _file("app/run.sh", b"echo hi\n", 0o755)]),
                         mtime=0)
    layer = store.import_layer_tar(io.BytesIO(data), parent=store.layer(busybox.top_layer))
    config = apply_changes(store.image_config(busybox), ["CMD /app/run.sh"])
    image = store.create_image([store.layer(busybox.top_layer), layer], config, ["app:1"])
    return store.tag(image, "app:latest")


def _save(store: Store, refs: list[str], path: Path) -> Path:
    with open(path, "wb") as f:
        save(store, refs, f)
    return path


def _load(store: Store, path: Path) -> list[Image]:
    with open(path, "rb") as f:
        return load(store, f)


def _rewrite(src: Path, dst: Path, keep=lambda name: True, change=None) -> Path:  # type: ignore[no-untyped-def]
    """A copy of the tar ``src`` without some members, or with some members' bytes changed."""
    with tarfile.open(src) as tin, tarfile.open(dst, "w", format=tarfile.PAX_FORMAT) as tout:
        for m in tin:
            if not keep(m.name):
                continue
            data = tin.extractfile(m).read() if m.isreg() else None
            if data is not None and change is not None:
                data = change(m.name, data)
                m.size = len(data)
            tout.addfile(m, io.BytesIO(data) if data is not None else None)
    return dst


# -- save / load ----------------------------------------------------------------------------


def test_save_then_load_keeps_tags_and_digests(store: Store, busybox: Image, app: Image, tmp_path: Path) -> None:
    archive = _save(store, ["busybox", "app:1", "app:latest"], tmp_path / "images.tar")
    other = Store(tmp_path / "other", "copy")
    loaded = _load(other, archive)
    assert {(i.id, i.manifest_digest) for i in loaded} == {(busybox.id, busybox.manifest_digest),
                                                          (app.id, app.manifest_digest)}
    assert other.image("busybox:latest").manifest_digest == busybox.manifest_digest
    assert sorted(other.image(app.id).tags) == ["app:1", "app:latest"]
    for image in loaded:
        other.verify_image(image)
    assert other.resolve_path("app:1", "app/hello.txt").read_bytes() == b"hello\n"
    assert not any(p.name.startswith(".load-") for p in other.root.iterdir())  # staging removed


def test_the_archive_is_docker_archive_and_oci_layout(store: Store, busybox: Image, app: Image,
                                                      tmp_path: Path) -> None:
    archive = _save(store, ["app:1", busybox.id[:19]], tmp_path / "images.tar")
    with tarfile.open(archive) as tf:
        names = tf.getnames()
        manifest = json.load(tf.extractfile("manifest.json"))
        index = json.load(tf.extractfile("index.json"))
        repositories = json.load(tf.extractfile("repositories"))
        assert json.load(tf.extractfile("oci-layout")) == {"imageLayoutVersion": "1.0.0"}
    def hexes(digests: list[str]) -> list[str]:
        return ["blobs/sha256/" + d.split(":")[1] for d in digests]

    assert manifest == [
        {"Config": hexes([app.id])[0], "RepoTags": ["app:1"], "Layers": hexes(app.blobs[1:])},
        {"Config": hexes([busybox.id])[0], "RepoTags": None, "Layers": hexes(busybox.blobs[1:])}]
    assert set(hexes(app.blobs + busybox.blobs + [app.manifest_digest, busybox.manifest_digest])) <= set(names)
    assert [(d["digest"], d.get("annotations")) for d in index["manifests"]] == [
        (app.manifest_digest, {"io.containerd.image.name": "docker.io/library/app:1",
                               "org.opencontainers.image.ref.name": "app:1"}),
        (busybox.manifest_digest, None)]
    assert repositories == {"app": {"1": app.blobs[-1].split(":")[1]}}


@needs_skopeo
def test_skopeo_reads_both_sides_of_the_archive(store: Store, app: Image, tmp_path: Path) -> None:
    archive = _save(store, ["app:1"], tmp_path / "app.tar")
    for ref in (f"docker-archive:{archive}", f"oci-archive:{archive}:app:1"):
        out = subprocess.run(["skopeo", "inspect", "--config", ref], capture_output=True, text=True, timeout=60,
                             check=False)
        assert out.returncode == 0, out.stderr
        assert json.loads(out.stdout)["rootfs"]["diff_ids"] == store.image_config(app).diff_ids


def test_load_a_docker_archive_without_the_oci_side(store: Store, busybox: Image, app: Image,
                                                    tmp_path: Path) -> None:
    archive = _rewrite(_save(store, ["app:1"], tmp_path / "a.tar"), tmp_path / "docker-only.tar",
                       keep=lambda n: n not in ("index.json", "oci-layout") and not n.endswith(
                           app.manifest_digest.split(":")[1]))
    other = Store(tmp_path / "other", "copy")
    [image] = _load(other, archive)
    # The manifest is made again from the layers as they are: the same bytes our store makes.
    assert (image.id, image.manifest_digest, image.tags) == (app.id, app.manifest_digest, ["app:1"])


def test_load_an_old_style_docker_archive(store: Store, tmp_path: Path) -> None:
    """``<id>/layer.tar`` layers, a config named ``<hex>.json``, and a repeated layer that is a
    symlink to the first, as Docker before 25 wrote them."""
    base = _tar([_entry("etc", tarfile.DIRTYPE), _file("etc/os-release", b"ID=test\n")])
    top = _tar([_file("etc/motd", b"hi\n")])
    def diff(b: bytes) -> str:
        return "sha256:" + hashlib.sha256(b).hexdigest()

    config = json.dumps({"architecture": "amd64", "os": "linux", "config": {"Cmd": ["sh"]},
                         "rootfs": {"type": "layers", "diff_ids": [diff(base), diff(top), diff(base)]}}).encode()
    chex = hashlib.sha256(config).hexdigest()
    archive = _tar([
        _entry("aaa", tarfile.DIRTYPE), _file("aaa/layer.tar", base), _file("aaa/VERSION", b"1.0"),
        _entry("bbb", tarfile.DIRTYPE), _file("bbb/layer.tar", top),
        _entry("ccc", tarfile.DIRTYPE), _entry("ccc/layer.tar", tarfile.SYMTYPE, "../aaa/layer.tar"),
        _file(f"{chex}.json", config),
        _file("manifest.json", json.dumps([{"Config": f"{chex}.json", "RepoTags": ["old:1"],
                                            "Layers": ["aaa/layer.tar", "bbb/layer.tar", "ccc/layer.tar"]}]).encode()),
        _file("repositories", b'{"old":{"1":"ccc"}}')])
    [image] = load(store, io.BytesIO(archive))
    assert image.id == "sha256:" + chex and image.tags == ["old:1"] and len(image.layers) == 3
    assert store.resolve_path("old:1", "etc/motd").read_bytes() == b"hi\n"
    manifest = store.manifest(image)
    assert [x.media_type for x in manifest.layers] == [mt.LAYER_TAR] * 3


@needs_skopeo
@pytest.mark.parametrize("transport", ["oci-archive", "docker-archive"])
def test_load_what_skopeo_wrote(store: Store, busybox: Image, tmp_path: Path, transport: str) -> None:
    out = tmp_path / "skopeo.tar"
    subprocess.run(["skopeo", "copy", f"oci:{store.root}:busybox:latest", f"{transport}:{out}:busybox:latest"],
                   check=True, capture_output=True, timeout=120)
    other = Store(tmp_path / "other", "copy")
    [image] = _load(other, out)
    assert image.id == busybox.id and image.tags == ["busybox:latest"]


def test_a_compressed_archive_loads(store: Store, app: Image, tmp_path: Path) -> None:
    raw = _save(store, ["app:1"], tmp_path / "a.tar").read_bytes()
    other = Store(tmp_path / "other", "copy")
    [image] = load(other, io.BytesIO(gzip.compress(raw)))
    assert image.manifest_digest == app.manifest_digest


@pytest.mark.parametrize("oci_only", [False, True])
def test_a_damaged_layer_is_refused(store: Store, app: Image, tmp_path: Path, oci_only: bool) -> None:
    layer = app.blobs[-1].split(":")[1]
    archive = _rewrite(_save(store, ["app:1"], tmp_path / "a.tar"), tmp_path / "bad.tar",
                       keep=lambda n: not (oci_only and n == "manifest.json"),
                       change=lambda n, d: gzip.compress(gzip.decompress(d).replace(b"hello", b"HELLO"))
                       if n.endswith(layer) else d)
    other = Store(tmp_path / "other", "copy")
    with pytest.raises(DigestMismatch) as e:
        _load(other, archive)
    assert e.value.expected == app.blobs[-1]
    assert other.images() == []


def test_a_layer_that_lies_about_its_content_is_refused(store: Store, tmp_path: Path) -> None:
    """An old-style archive names no layer digests: the config's diff_ids catch the lie."""
    layer = _tar([_file("f", b"real")])
    config = json.dumps({"rootfs": {"type": "layers", "diff_ids": ["sha256:" + "0" * 64]}})
    archive = _tar([_file("l/layer.tar", layer), _file("c.json", config.encode()),
                    _file("manifest.json", b'[{"Config":"c.json","RepoTags":["lie:1"],"Layers":["l/layer.tar"]}]')])
    with pytest.raises(DigestMismatch, match="diff_id"):
        load(store, io.BytesIO(archive))
    assert store.images() == [] and store.layers() == []


@pytest.mark.parametrize(("members", "problem"), [
    ([_file("../evil", b"x")], "'..'"),
    ([_file("/abs/evil", b"x")], "absolute"),
    ([_entry("link", tarfile.SYMTYPE, "../../outside")], "leaves the archive"),
    ([_entry("link", tarfile.SYMTYPE, "/etc/passwd")], "absolute link target"),
    ([_entry("hard", tarfile.LNKTYPE, "../x")], "'..'"),
    ([_entry("dev", tarfile.CHRTYPE)], "only files, directories and links"),
])
def test_hostile_archive_members_are_refused(store: Store, tmp_path: Path, members: list, problem: str) -> None:
    with pytest.raises(UnsafeArchive, match=problem):
        load(store, io.BytesIO(_tar(members + [_file("manifest.json", b"[]")])))
    assert not (tmp_path / "evil").exists() and not (store.root.parent / "evil").exists()
    assert not any(p.name.startswith(".load-") for p in store.root.iterdir())


def test_a_hostile_layer_is_refused_by_the_store(store: Store, tmp_path: Path) -> None:
    layer = _tar([_file("../../escaped", b"x")])
    config = json.dumps({"rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(layer).hexdigest()]}})
    archive = _tar([_file("layer.tar", layer), _file("config.json", config.encode()),
                    _file("manifest.json", b'[{"Config":"config.json","RepoTags":["bad:1"],"Layers":["layer.tar"]}]')])
    with pytest.raises(UnsafeArchive):
        load(store, io.BytesIO(archive))
    assert store.images() == [] and store.layers() == []
    assert not (store.root.parent / "escaped").exists()


@pytest.mark.parametrize(("data", "problem"), [
    (b"this is not a tar file at all" * 100, "not a readable tar"),
    (_tar([_file("hello.txt", b"hi")]), "neither manifest.json"),
    (_tar([_file("manifest.json", b"{")]), "not valid JSON"),
    (_tar([_file("manifest.json", b'[{"Config":"c.json","Layers":[]}]')]), "does not contain"),
    (_tar([_file("manifest.json", b'[{"RepoTags":[]}]')]), "lacks Config or Layers"),
    (_tar([_file("x", b"x"), _entry("d", tarfile.DIRTYPE), _entry("d", tarfile.SYMTYPE, "x")]),
     "both a directory and a link"),
    (_tar([_file("d", b"x"), _file("d/inside", b"y")]), "both a file and a directory"),
])
def test_unreadable_archives_say_why(store: Store, data: bytes, problem: str) -> None:
    with pytest.raises(ArchiveError, match=problem):
        load(store, io.BytesIO(data))


# -- import / export ------------------------------------------------------------------------


def _rootfs() -> bytes:
    return _tar([_entry("bin", tarfile.DIRTYPE), _file("bin/tool", b"#!/bin/sh\necho tool\n", 0o755),
                 _entry("bin/alias", tarfile.SYMTYPE, "tool"), _entry("dev", tarfile.DIRTYPE),
                 _entry("dev/null", tarfile.CHRTYPE, mode=0o666), _file("etc/hostname", b"box\n")])


def test_import_a_rootfs_with_changes(store: Store) -> None:
    image = import_rootfs(store, io.BytesIO(_rootfs()), "imported:1", changes=[
        'CMD ["/bin/tool", "--flag"]', "ENTRYPOINT /bin/sh -c", "ENV A=1 B=\"two words\"", "env C 3",
        "EXPOSE 80 53/udp", "LABEL lesson=images", "WORKDIR /srv", "WORKDIR app", "USER 1000:1000",
        'VOLUME ["/data"]', "STOPSIGNAL SIGINT"], message="from a lesson")
    assert image.tags == ["imported:1"] and len(image.layers) == 1
    config = store.image_config(image)
    assert config.cmd == ["/bin/tool", "--flag"] and config.entrypoint == ["/bin/sh", "-c", "/bin/sh -c"]
    assert config.env == ["A=1", "B=two words", "C=3"]
    assert config.exposed_ports == ["53/udp", "80/tcp"] and config.labels == {"lesson": "images"}
    assert (config.working_dir, config.user, config.volumes, config.stop_signal) == ("/srv/app", "1000:1000",
                                                                                     ["/data"], "SIGINT")
    assert config.history[0].comment == "from a lesson"
    assert store.resolve_path(image, "bin/tool").read_bytes().startswith(b"#!/bin/sh")
    assert store.resolve_path(image, "dev").is_dir()
    assert store.resolve_path(image, "dev/null") is None  # devices never enter a layer


@pytest.mark.parametrize("compress", [gzip.compress, lzma.compress])
def test_import_compressed_rootfs(store: Store, compress) -> None:  # type: ignore[no-untyped-def]
    image = import_rootfs(store, io.BytesIO(compress(_rootfs())))
    assert image.tags == [] and store.image_config(image).history[0].comment == "Imported from -"
    assert os.readlink(store.resolve_path(image, "bin/alias")) == "tool"


@pytest.mark.parametrize(("change", "problem"), [
    ("RUN echo hi", "not an instruction import can apply"),
    ("CMD", "needs an argument"),
    ("EXPOSE 99999", "not a port"),
    ("VOLUME relative", "not an absolute path"),
    ("LABEL a=1 b", "is not KEY=VALUE"),
    ("ENV A='unbalanced", "unbalanced quotes"),
])
def test_bad_changes_are_refused_before_anything_is_stored(store: Store, change: str, problem: str) -> None:
    with pytest.raises(InvalidChange, match=problem):
        import_rootfs(store, io.BytesIO(_rootfs()), "x:1", changes=[change])
    assert store.layers() == [] and store.images() == []


def test_import_of_something_that_is_not_a_tar(store: Store) -> None:
    with pytest.raises(ArchiveError, match="not a readable tar"):
        import_rootfs(store, io.BytesIO(b"\x00garbage" * 1000), "x:1")
    assert store.layers() == []


def test_export_then_import_gives_one_layer_with_the_same_files(store: Store, app: Image, tmp_path: Path) -> None:
    out = io.BytesIO()
    export_image(store, app, out)
    out.seek(0)
    flat = import_rootfs(store, out, "flat:1")
    assert len(flat.layers) == 1 and len(app.layers) == 2
    original = _tree(store.image_rootfs(app).path)
    assert _tree(store.image_rootfs(flat).path) == original
    assert "app/hello.txt" in original and "bin/busybox" in original


def test_export_rootfs_of_a_directory(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "a" / "b").mkdir(parents=True)
    (root / "a" / "b" / "f").write_bytes(b"data")
    os.symlink("b/f", root / "a" / "l")
    os.mkfifo(root / "fifo")
    out = io.BytesIO()
    export_rootfs(root, out)
    out.seek(0)
    with tarfile.open(fileobj=out) as tf:
        members = {m.name: m for m in tf}
        assert sorted(members) == ["a", "a/b", "a/b/f", "a/l", "fifo"]
        assert tf.extractfile("a/b/f").read() == b"data" and members["a/l"].linkname == "b/f"
        assert members["fifo"].isfifo()


def test_apply_changes_keeps_the_original() -> None:
    before = ImageConfig(env=["A=1"])
    after = apply_changes(before, ["ENV B=2"])
    assert before.env == ["A=1"] and after.env == ["A=1", "B=2"]
