"""Every local path the grammar touches means ``main(cwd=…)``, never the process's working
directory: the files live only under the given directory, so resolving against the
process's directory would not find them (and the process's directory is never changed)."""

from __future__ import annotations

import io
import json
import os
import tarfile
from pathlib import Path

import pytest

from sandbox.client import MockResponse, PathStat
from sandbox.client._archive import GO_MODE_DIR, encode_path_stat
from sandbox.commands.docker import main
from sandbox.commands.docker._context import default_context

from .conftest import Docker, Result

CID = "c0" * 32
BUILD_STREAM = [{"stream": "Step 1/1 : FROM busybox\n"}, {"aux": {"ID": "sha256:" + "d8" * 32}},
                {"stream": "Successfully built d8d14241ec28\n"}]


@pytest.fixture
def here(tmp_path: Path) -> Path:
    """The invocation's directory: somewhere the process is not."""
    directory = tmp_path / "lesson"
    directory.mkdir()
    assert Path.cwd().resolve() != directory.resolve()
    return directory


def run_in(docker: Docker, cwd: Path, *argv: str, env: dict[str, str] | None = None, stdin: str = "") -> Result:
    out, err = io.StringIO(), io.StringIO()
    before = os.getcwd()
    code = main(list(argv), client=docker.client, stdout=out, stderr=err, stdin=io.StringIO(stdin),
                env=env or {"TZ": "UTC"}, cwd=cwd)
    assert os.getcwd() == before
    return Result(code, out.getvalue(), err.getvalue())


def last(docker: Docker, route: str):  # -> Request
    return next(r for r in reversed(docker.transport.requests) if r.route.endswith(route))


def names_in(body: bytes) -> list[str]:
    with tarfile.open(fileobj=io.BytesIO(body)) as tar:
        return tar.getnames()


def tar_bytes(name: str, content: bytes) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        info = tarfile.TarInfo(name)
        info.size, info.mode = len(content), 0o644
        tar.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


def test_the_default_is_the_process_cwd_and_a_relative_cwd_is_made_absolute(here: Path) -> None:
    assert default_context().cwd == Path(os.getcwd())
    ctx = default_context(cwd=here)
    assert ctx.cwd == here and ctx.local_path("a/../b.txt") == here / "b.txt"
    assert ctx.local_path("/abs/x") == Path("/abs/x")
    assert default_context(cwd="rel").cwd == Path(os.getcwd()) / "rel"


# -- build --------------------------------------------------------------------------------------


def test_build_context_dockerfile_dockerignore_and_iidfile(docker: Docker, here: Path) -> None:
    (here / "app" / "src").mkdir(parents=True)
    (here / "app" / "Dockerfile.dev").write_text("FROM busybox\n")
    (here / "app" / "src" / "main.py").write_text("print(1)\n")
    (here / "app" / "notes.log").write_text("x")
    (here / "app" / ".dockerignore").write_text("*.log\n")
    docker.router.add("POST", "/build", MockResponse.ndjson(BUILD_STREAM))
    result = run_in(docker, here, "build", "-q", "-f", "app/Dockerfile.dev", "--iidfile", "out/iid", "app")
    assert result.code == 1 and "out" in result.err  # --iidfile's folder is missing under `here`
    (here / "out").mkdir()
    docker.router.add("POST", "/build", MockResponse.ndjson(BUILD_STREAM))
    result = run_in(docker, here, "build", "-q", "-f", "app/Dockerfile.dev", "--iidfile", "out/iid", "app")
    assert result.code == 0, result.err
    request = last(docker, "/build")
    assert sorted(names_in(request.body or b"")) == [".dockerignore", "Dockerfile.dev", "src", "src/main.py"]
    assert "dockerfile=Dockerfile.dev" in request.path
    assert (here / "out" / "iid").read_text() == "sha256:" + "d8" * 32


def test_build_with_a_dockerfile_outside_the_context_reads_it_from_cwd(docker: Docker, here: Path) -> None:
    (here / "ctx").mkdir()
    (here / "files").mkdir()
    (here / "files" / "Dockerfile").write_text("FROM busybox\nLABEL from=files\n")
    docker.router.add("POST", "/build", MockResponse.ndjson(BUILD_STREAM))
    assert run_in(docker, here, "build", "-q", "-f", "files/Dockerfile", "ctx").code == 0
    with tarfile.open(fileobj=io.BytesIO(last(docker, "/build").body or b"")) as tar:
        [name] = [n for n in tar.getnames() if n.startswith(".dockerfile.")]
        extracted = tar.extractfile(name)
        assert extracted is not None and extracted.read() == b"FROM busybox\nLABEL from=files\n"


def test_build_of_a_context_missing_under_cwd_names_it_as_given(docker: Docker, here: Path) -> None:
    result = run_in(docker, here, "build", "nowhere")
    assert (result.code, result.err) == (1, 'unable to prepare context: path "nowhere" not found\n')
    assert docker.routes() == []


# -- cp -----------------------------------------------------------------------------------------


def test_cp_out_and_in_use_cwd_for_the_local_side(docker: Docker, here: Path) -> None:
    docker.router.add("GET", "/containers/web/archive", MockResponse(
        200, tar_bytes("hostname", b"box\n"),
        {"X-Docker-Container-Path-Stat": encode_path_stat(PathStat("hostname", 4, 0o644, "t"))}))
    (here / "got").mkdir()
    assert run_in(docker, here, "cp", "web:/etc/hostname", "got").code == 0
    assert run_in(docker, here, "cp", "web:/etc/hostname", "./got/renamed").code == 0
    assert (here / "got" / "hostname").read_text() == "box\n"
    assert (here / "got" / "renamed").read_text() == "box\n"

    (here / "hello.txt").write_text("hi")
    docker.router.add("HEAD", "/containers/web/archive", MockResponse(
        200, b"", {"X-Docker-Container-Path-Stat": encode_path_stat(PathStat("tmp", 0, GO_MODE_DIR | 0o1777, "t"))}))
    docker.router.add("PUT", "/containers/web/archive", MockResponse(200))
    assert run_in(docker, here, "cp", "hello.txt", "web:/tmp").code == 0
    assert names_in(docker.transport.requests[-1].body or b"") == ["hello.txt"]


def test_cp_of_a_file_missing_under_cwd_fails(docker: Docker, here: Path) -> None:
    docker.router.add("HEAD", "/containers/web/archive", MockResponse(
        200, b"", {"X-Docker-Container-Path-Stat": encode_path_stat(PathStat("tmp", 0, GO_MODE_DIR | 0o1777, "t"))}))
    result = run_in(docker, here, "cp", "absent.txt", "web:/tmp")
    assert result.code == 1 and str(here / "absent.txt") in result.err


# -- save, load, import, export -----------------------------------------------------------------


def test_save_and_export_write_under_cwd(docker: Docker, here: Path) -> None:
    docker.router.add("GET", "/images/get", MockResponse(200, b"IMAGES", {"Content-Type": "application/x-tar"}))
    docker.router.add("GET", "/containers/web/export", MockResponse(200, b"ROOTFS",
                                                                    {"Content-Type": "application/x-tar"}))
    assert run_in(docker, here, "save", "-o", "images.tar", "busybox").code == 0
    assert run_in(docker, here, "export", "-o", "rootfs.tar", "web").code == 0
    assert (here / "images.tar").read_bytes() == b"IMAGES"
    assert (here / "rootfs.tar").read_bytes() == b"ROOTFS"
    result = run_in(docker, here, "save", "-o", "no/dir/images.tar", "busybox")
    assert result.code == 1 and str(here / "no" / "dir") in result.err


def test_load_and_import_read_under_cwd(docker: Docker, here: Path) -> None:
    (here / "images.tar").write_bytes(b"ARCHIVE")
    (here / "rootfs.tar").write_bytes(b"ROOTFS")
    docker.router.add("POST", "/images/load", MockResponse.ndjson([{"stream": "Loaded image: busybox:latest\n"}]))
    docker.router.add("POST", "/images/create", MockResponse.ndjson([{"status": "sha256:" + "ab" * 32}]))
    assert run_in(docker, here, "load", "-i", "images.tar").code == 0
    assert last(docker, "/images/load").body == b"ARCHIVE"
    assert run_in(docker, here, "import", "rootfs.tar", "mine:1").code == 0
    assert last(docker, "/images/create").body == b"ROOTFS"
    missing = run_in(docker, here, "load", "-i", "other.tar")
    assert (missing.code, missing.err) == (1, "open other.tar: no such file or directory\n")


# -- run, create, exec --------------------------------------------------------------------------


def _create_route(docker: Docker) -> None:
    docker.router.add("POST", "/containers/create", MockResponse.json({"Id": CID, "Warnings": []}, status=201))


def test_create_reads_env_and_label_files_and_writes_the_cidfile_under_cwd(docker: Docker, here: Path) -> None:
    (here / "app.env").write_text("\ufeffMODE=dev\n  # a comment\n\nHOME\nUNSET_HERE\nSPACE=a b \n")
    (here / "app.labels").write_text("team=a\nbare\ntier=web\n")
    _create_route(docker)
    result = run_in(docker, here, "create", "--env-file", "app.env", "-e", "X=1", "--label-file", "app.labels",
                    "-l", "tier=db", "--cidfile", "cid", "busybox", env={"HOME": "/home/learner"})
    assert (result.code, result.out) == (0, CID + "\n"), result.err
    body = last(docker, "/containers/create").json()
    assert body["Env"] == ["MODE=dev", "HOME=/home/learner", "SPACE=a b ", "X=1"]
    assert body["Labels"] == {"team": "a", "tier": "db"}
    assert body["HostConfig"]["ContainerIDFile"] == "cid"  # sent as given, as the docker CLI sends it
    assert (here / "cid").read_text() == CID


def test_bind_sources_that_start_with_a_dot_become_absolute_against_cwd(docker: Docker, here: Path) -> None:
    _create_route(docker)
    result = run_in(docker, here, "create", "-v", "./data:/data:ro", "-v", "../up:/up", "-v", ".:/dot",
                    "-v", "named:/named", "--mount", "type=bind,src=./m,dst=/m",
                    "--mount", "type=bind,source=.cache,target=/c", "busybox")
    assert result.code == 0, result.err
    host = last(docker, "/containers/create").json()["HostConfig"]
    assert host["Binds"] == [f"{here}/data:/data:ro", f"{here.parent}/up:/up", f"{here}:/dot", "named:/named"]
    assert [m["Source"] for m in host["Mounts"]] == [f"{here}/m", f"{here}/.cache"]


def test_a_cidfile_that_exists_stops_create_and_is_left_alone(docker: Docker, here: Path) -> None:
    (here / "cid").write_text("someone else's")
    _create_route(docker)
    result = run_in(docker, here, "create", "--cidfile", "cid", "busybox")
    assert result.code == 1
    assert result.err == "container ID file found, make sure the other container isn't running or delete cid\n"
    assert (here / "cid").read_text() == "someone else's" and docker.routes() == []


def test_run_with_a_cidfile_in_a_missing_folder_exits_as_docker_does(docker: Docker, here: Path) -> None:
    result = run_in(docker, here, "run", "-d", "--cidfile", "no/cid", "busybox")
    assert result.code == 127  # docker maps "no such file or directory" to 127
    assert result.err.startswith("docker: failed to create the container ID file: open no/cid: no such file")
    assert docker.routes() == []


def test_a_cidfile_is_removed_when_no_container_came_of_it(docker: Docker, here: Path) -> None:
    docker.router.add("POST", "/containers/create", MockResponse.error(400, "invalid mount config"))
    result = run_in(docker, here, "create", "--cidfile", "cid", "busybox")
    assert result.code == 125 and "invalid mount config" in result.err
    assert not (here / "cid").exists()


@pytest.mark.parametrize("content, problem", [
    ("A B=1\n", "invalid env file (bad.env): variable 'A B' contains whitespaces"),
    ("=x\n", "invalid env file (bad.env): no variable name on line '=x'"),
])
def test_bad_env_files_are_refused(docker: Docker, here: Path, content: str, problem: str) -> None:
    (here / "bad.env").write_text(content)
    result = run_in(docker, here, "run", "--env-file", "bad.env", "busybox")
    assert result.code == 125 and result.err.startswith(f"docker: {problem}\n")
    assert docker.routes() == []


def test_a_label_file_missing_under_cwd_is_refused(docker: Docker, here: Path) -> None:
    result = run_in(docker, here, "create", "--label-file", "app.labels", "busybox")
    assert result.code == 125 and result.err.startswith("docker: open app.labels: no such file or directory\n")


def test_exec_reads_its_env_file_under_cwd(docker: Docker, here: Path) -> None:
    (here / "exec.env").write_text("GREETING=hi\n")
    docker.router.add("GET", "/containers/web/json", MockResponse.json({"Id": "w"}))
    docker.router.add("POST", "/containers/web/exec", MockResponse.json({"Id": "e1"}, status=201))
    docker.router.add("POST", "/exec/e1/start", MockResponse(200))
    assert run_in(docker, here, "exec", "-d", "--env-file", "exec.env", "web", "true").code == 0
    assert last(docker, "/containers/web/exec").json()["Env"] == ["GREETING=hi"]


# -- login --------------------------------------------------------------------------------------


def test_a_relative_docker_config_means_cwd(docker: Docker, here: Path) -> None:
    docker.router.add("POST", "/auth", MockResponse.json({"Status": "Login Succeeded", "IdentityToken": ""}))
    env = {"TZ": "UTC", "DOCKER_CONFIG": "cfg", "HOME": str(here)}
    result = run_in(docker, here, "login", "-u", "learner", "--password-stdin", "127.0.0.1:5000", env=env,
                    stdin="pw\n")
    assert result.code == 0, result.err
    saved = json.loads((here / "cfg" / "config.json").read_text())
    assert "127.0.0.1:5000" in saved["auths"]
