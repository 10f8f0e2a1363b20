"""docker cp: naming rules, and extraction that cannot escape the destination."""

import io
import tarfile
from pathlib import Path

import pytest

from sandbox.client import MockResponse, PathStat
from sandbox.client._archive import GO_MODE_DIR, encode_path_stat
from sandbox.commands.docker._tar import CopyError, extract, pack, rebase
from sandbox.commands.docker.cp import split_arg


def tar_of(entries: list[tuple[str, bytes | None, str | None]]) -> bytes:
    """(name, content or None for a dir, symlink target) → tar bytes."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, content, link in entries:
            info = tarfile.TarInfo(name)
            if link is not None:
                info.type, info.linkname = tarfile.SYMTYPE, link
                tar.addfile(info)
            elif content is None:
                info.type, info.mode = tarfile.DIRTYPE, 0o755
                tar.addfile(info)
            else:
                info.size, info.mode = len(content), 0o640
                tar.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


@pytest.mark.parametrize("arg, expected", [
    ("web:/etc/hosts", ("web", "/etc/hosts")), ("/abs/path:x", ("", "/abs/path:x")),
    ("./file:name", ("", "./file:name")), ("plain", ("", "plain")), ("web:", ("web", "")),
])
def test_split_arg(arg: str, expected: tuple[str, str]) -> None:
    assert split_arg(arg) == expected


def test_pack_and_extract_round_trip(tmp_path: Path) -> None:
    src = tmp_path / "src"
    (src / "sub").mkdir(parents=True)
    (src / "sub" / "f.txt").write_text("hello")
    (src / "link").symlink_to("sub/f.txt")
    dest = tmp_path / "dest"
    dest.mkdir()
    assert extract(pack(src, "copy"), dest) == 5
    assert (dest / "copy" / "sub" / "f.txt").read_text() == "hello"
    assert (dest / "copy" / "link").readlink() == Path("sub/f.txt")


def test_rebase_renames_the_top_entry(tmp_path: Path) -> None:
    data = rebase(tar_of([("etc", None, None), ("etc/passwd", b"root", None)]), "etc", "etc2")
    extract(data, tmp_path)
    assert (tmp_path / "etc2" / "passwd").read_text() == "root"


@pytest.mark.parametrize("entries", [
    [("../escape", b"x", None)],
    [("a/../../escape", b"x", None)],
    [("link", None, "/"), ("link/etc/evil", b"x", None)],
    [("up", None, ".."), ("up/evil", b"x", None)],
])
def test_hostile_archives_are_refused(tmp_path: Path, entries) -> None:
    dest = tmp_path / "dest"
    dest.mkdir()
    with pytest.raises(CopyError):
        extract(tar_of(entries), dest)
    assert not (tmp_path / "escape").exists()
    assert not (tmp_path / "evil").exists()


def test_absolute_names_land_inside(tmp_path: Path) -> None:
    extract(tar_of([("/abs.txt", b"x", None)]), tmp_path)
    assert (tmp_path / "abs.txt").read_text() == "x"


def _serve_archive(docker, path: str, data: bytes, stat: PathStat) -> None:
    docker.router.add("GET", "/containers/web/archive",
                      MockResponse(200, data, {"X-Docker-Container-Path-Stat": encode_path_stat(stat)}))


def test_copy_out_into_a_directory_and_to_a_new_name(docker, tmp_path: Path) -> None:
    _serve_archive(docker, "/etc/hostname", tar_of([("hostname", b"box\n", None)]),
                   PathStat("hostname", 4, 0o644, "t"))
    assert docker("cp", "web:/etc/hostname", str(tmp_path)).code == 0
    assert (tmp_path / "hostname").read_text() == "box\n"
    assert docker("cp", "web:/etc/hostname", str(tmp_path / "renamed")).code == 0
    assert (tmp_path / "renamed").read_text() == "box\n"


def test_copy_out_to_stdout_writes_the_tar(docker) -> None:
    data = tar_of([("hostname", b"box\n", None)])
    _serve_archive(docker, "/etc/hostname", data, PathStat("hostname", 4, 0o644, "t"))
    assert docker("cp", "web:/etc/hostname", "-").out.encode("latin-1", "replace")[:8] == data[:8]


def test_copy_out_to_a_missing_directory_fails(docker, tmp_path: Path) -> None:
    _serve_archive(docker, "/etc", tar_of([("etc", None, None)]), PathStat("etc", 0, GO_MODE_DIR | 0o755, "t"))
    result = docker("cp", "web:/etc", str(tmp_path / "no" / "such" / "dir"))
    assert result.code == 1 and "does not exist" in result.err


def test_copy_in_to_a_directory_and_a_new_name(docker, tmp_path: Path) -> None:
    src = tmp_path / "hello.txt"
    src.write_text("hi")
    docker.router.add("HEAD", "/containers/web/archive", lambda r: MockResponse(
        200, b"", {"X-Docker-Container-Path-Stat": encode_path_stat(PathStat("tmp", 0, GO_MODE_DIR | 0o1777, "t"))})
        if r.query["path"] == "/tmp" else MockResponse.error(404, "Could not find the file"))
    docker.router.add("PUT", "/containers/web/archive", MockResponse(200))
    assert docker("cp", str(src), "web:/tmp").code == 0
    put = docker.transport.requests[-1]
    assert put.query == {"path": "/tmp"}
    assert tarfile.open(fileobj=io.BytesIO(put.body)).getnames() == ["hello.txt"]
    assert docker("cp", str(src), "web:/tmp/other.txt").code == 0
    put = docker.transport.requests[-1]
    assert put.query == {"path": "/tmp"}
    assert tarfile.open(fileobj=io.BytesIO(put.body)).getnames() == ["other.txt"]


def test_copy_between_containers_is_refused(docker) -> None:
    result = docker("cp", "a:/x", "b:/y")
    assert result.code == 1 and "copying between containers is not supported" in result.err
