"""Our image commands against canned engine answers: what they send, what they print."""

from __future__ import annotations

import base64
import io
import json
import tarfile
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from sandbox.client import MockResponse
from sandbox.commands.docker import main

from .conftest import Docker, Result


def query(docker: Docker, route: str) -> dict[str, list[str]]:
    request = next(r for r in reversed(docker.transport.requests) if r.route.endswith(route))
    return parse_qs(request.path.split("?", 1)[1]) if "?" in request.path else {}


def last(docker: Docker, route: str):  # -> Request
    return next(r for r in reversed(docker.transport.requests) if r.route.endswith(route))


def run(docker: Docker, *argv: str, env: dict[str, str], stdin: str = "") -> Result:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), client=docker.client, stdout=out, stderr=err, stdin=io.StringIO(stdin), env=env)
    return Result(code, out.getvalue(), err.getvalue())


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"TZ": "UTC", "DOCKER_CONFIG": str(tmp_path / "docker-config"), "HOME": str(tmp_path)}


def names_in(body: bytes) -> list[str]:
    with tarfile.open(fileobj=io.BytesIO(body)) as tar:
        return tar.getnames()


# -- build ------------------------------------------------------------------------------------


BUILD_STREAM = [{"stream": "Step 1/1 : FROM busybox\n"}, {"stream": " ---> d8d14241ec28\n"},
                {"aux": {"ID": "sha256:" + "d8" * 32}}, {"stream": "Successfully built d8d14241ec28\n"},
                {"stream": "Successfully tagged app:1\n"}]


def test_build_sends_the_context_without_ignored_files(docker: Docker, tmp_path: Path, env: dict) -> None:
    ctx = tmp_path / "ctx"
    (ctx / "src").mkdir(parents=True)
    (ctx / "Dockerfile").write_text("FROM busybox\n")
    (ctx / "src" / "app.py").write_text("print(1)\n")
    (ctx / "secret.env").write_text("TOKEN=x\n")
    (ctx / "logs").mkdir()
    (ctx / "logs" / "a.log").write_text("x")
    (ctx / ".dockerignore").write_text("*.env\nlogs\nDockerfile\n")
    docker.router.add("POST", "/build", MockResponse.ndjson(BUILD_STREAM))
    iid = tmp_path / "iid"
    result = run(docker, "build", "-t", "app:1", "-t", "app:latest", "--build-arg", "A=1", "--label", "k=v",
                 "--no-cache", "--target", "final", "--iidfile", str(iid), str(ctx), env=env)
    assert result.code == 0, result.err
    assert result.out.startswith("Sending build context to Docker daemon  ")
    assert result.out.endswith("Successfully built d8d14241ec28\nSuccessfully tagged app:1\n")
    request = last(docker, "/build")
    assert sorted(names_in(request.body or b"")) == [".dockerignore", "Dockerfile", "src", "src/app.py"]
    assert request.headers["Content-Type"] == "application/x-tar"
    q = query(docker, "/build")
    assert q["t"] == ["app:1", "app:latest"] and q["dockerfile"] == ["Dockerfile"]
    assert json.loads(q["buildargs"][0]) == {"A": "1"} and json.loads(q["labels"][0]) == {"k": "v"}
    assert q["nocache"] == ["1"] and q["target"] == ["final"] and q["version"] == ["1"]
    assert iid.read_text() == "sha256:" + "d8" * 32


def test_a_build_arg_without_value_comes_from_the_environment(docker: Docker, tmp_path: Path, env: dict) -> None:
    (tmp_path / "Dockerfile").write_text("FROM busybox\n")
    docker.router.add("POST", "/build", MockResponse.ndjson(BUILD_STREAM))
    run(docker, "build", "--build-arg", "PROXY", "--build-arg", "MISSING", str(tmp_path), env={**env, "PROXY": "p"})
    assert json.loads(query(docker, "/build")["buildargs"][0]) == {"PROXY": "p"}


def test_a_failed_run_exits_with_its_code(docker: Docker, tmp_path: Path, env: dict) -> None:
    (tmp_path / "Dockerfile").write_text("FROM busybox\nRUN exit 3\n")
    message = "The command '/bin/sh -c exit 3' returned a non-zero code: 3"
    docker.router.add("POST", "/build", MockResponse.ndjson([
        {"stream": "Step 2/2 : RUN exit 3\n"}, {"errorDetail": {"message": message, "code": 3}, "error": message}]))
    result = run(docker, "build", str(tmp_path), env=env)
    assert (result.code, result.err) == (3, message + "\n")
    assert "Step 2/2 : RUN exit 3" in result.out


def test_a_dockerfile_from_stdin_or_outside_the_context_is_sent_along(docker: Docker, tmp_path: Path,
                                                                       env: dict) -> None:
    ctx = tmp_path / "ctx"
    ctx.mkdir()
    (ctx / "a.txt").write_text("a")
    docker.router.add("POST", "/build", MockResponse.ndjson(BUILD_STREAM))
    assert run(docker, "build", "-f", "-", str(ctx), env=env, stdin="FROM busybox\n").code == 0
    name = query(docker, "/build")["dockerfile"][0]
    assert name.startswith(".dockerfile.") and name in names_in(last(docker, "/build").body or b"")
    (tmp_path / "elsewhere.Dockerfile").write_text("FROM busybox\n")
    assert run(docker, "build", "-f", str(tmp_path / "elsewhere.Dockerfile"), str(ctx), env=env).code == 0
    assert query(docker, "/build")["dockerfile"][0].startswith(".dockerfile.")


def test_build_usage_errors(docker: Docker, tmp_path: Path, env: dict) -> None:
    assert run(docker, "build", env=env).code == 1
    assert run(docker, "build", str(tmp_path / "missing"), env=env).code == 1
    assert run(docker, "build", "https://example.invalid/repo.git", env=env).code == 1
    assert run(docker, "build", "-f", "-", "-", env=env).code == 1
    assert docker.routes() == []


# -- registry commands ------------------------------------------------------------------------


def test_login_stores_the_credential_and_push_sends_it(docker: Docker, tmp_path: Path, env: dict) -> None:
    docker.router.add("POST", "/auth", MockResponse.json({"Status": "Login Succeeded", "IdentityToken": ""}))
    result = run(docker, "login", "-u", "learner", "--password-stdin", "127.0.0.1:5000", env=env, stdin="pw\n")
    assert result.code == 0 and result.out == "Login Succeeded\n"
    assert last(docker, "/auth").json() == {"username": "learner", "password": "pw", "serveraddress": "127.0.0.1:5000"}
    saved = json.loads((tmp_path / "docker-config" / "config.json").read_text())
    assert saved["auths"]["127.0.0.1:5000"]["auth"] == base64.b64encode(b"learner:pw").decode()

    docker.router.add("POST", "/images/127.0.0.1:5000/app/push", MockResponse.ndjson([
        {"status": "The push refers to repository [127.0.0.1:5000/app]"},
        {"status": "Pushing", "progressDetail": {"current": 1, "total": 2}, "id": "abc"},
        {"status": "Pushed", "progressDetail": {}, "id": "abc"},
        {"status": "1: digest: sha256:aa size: 5"}]))
    pushed = run(docker, "push", "127.0.0.1:5000/app:1", env=env)
    assert pushed.out == ("The push refers to repository [127.0.0.1:5000/app]\nabc: Pushed\n"
                          "1: digest: sha256:aa size: 5\n")
    header = last(docker, "/push").headers["X-Registry-Auth"]
    sent = json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))
    assert sent == {"username": "learner", "password": "pw", "serveraddress": "127.0.0.1:5000"}
    assert query(docker, "/push") == {"tag": ["1"]}

    assert run(docker, "logout", "127.0.0.1:5000", env=env).out == "Removing login credentials for 127.0.0.1:5000\n"
    assert run(docker, "logout", "127.0.0.1:5000", env=env).out == "Not logged in to 127.0.0.1:5000\n"
    run(docker, "push", "127.0.0.1:5000/app:1", env=env)
    assert last(docker, "/push").headers["X-Registry-Auth"] == "e30="


def test_a_refused_login_stores_nothing(docker: Docker, tmp_path: Path, env: dict) -> None:
    docker.router.add("POST", "/auth", MockResponse.error(401, "login to r failed: incorrect username or password"))
    result = run(docker, "login", "-u", "u", "--password-stdin", "r:5000", env=env, stdin="bad\n")
    assert result.code == 1 and "incorrect username or password" in result.err
    assert not (tmp_path / "docker-config" / "config.json").exists()
    assert run(docker, "login", "--password-stdin", "r:5000", env=env, stdin="x").code == 1  # no -u


def test_pull_sends_the_stored_login_and_draws_bars_on_a_terminal(docker: Docker, tmp_path: Path,
                                                                  env: dict) -> None:
    config = tmp_path / "docker-config"
    config.mkdir()
    (config / "config.json").write_text(json.dumps({"auths": {"127.0.0.1:5000": {
        "auth": base64.b64encode(b"u:p").decode()}}}))
    docker.router.add("POST", "/images/create", MockResponse.ndjson([
        {"status": "Pulling from app", "id": "1"},
        {"status": "Downloading", "progressDetail": {"current": 50, "total": 100}, "id": "abc"},
        {"status": "Pull complete", "progressDetail": {}, "id": "abc"}]))

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    out = Tty()
    code = main(["pull", "127.0.0.1:5000/app:1"], client=docker.client, stdout=out, stderr=io.StringIO(), env=env)
    assert code == 0
    assert "abc: Downloading [=========================>" in out.getvalue()
    assert "\x1b[" in out.getvalue()  # the layer's line is redrawn in place
    header = last(docker, "/images/create").headers["X-Registry-Auth"]
    assert json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))["username"] == "u"


def test_search_table(docker: Docker, env: dict) -> None:
    docker.router.add("GET", "/images/search", MockResponse.json([
        {"name": "127.0.0.1:5000/app", "description": "", "star_count": 0, "is_official": False,
         "is_automated": False}]))
    result = run(docker, "search", "--limit", "5", "127.0.0.1:5000/app", env=env)
    assert result.out.splitlines()[0].split() == ["NAME", "DESCRIPTION", "STARS", "OFFICIAL"]
    assert result.out.splitlines()[1].split() == ["127.0.0.1:5000/app", "0"]
    assert query(docker, "/images/search") == {"term": ["127.0.0.1:5000/app"], "limit": ["5"]}


# -- archives and commit ----------------------------------------------------------------------


def test_save_to_a_file_and_refusing_a_terminal(docker: Docker, tmp_path: Path, env: dict) -> None:
    docker.router.add("GET", "/images/get", MockResponse(200, b"TARDATA", {"Content-Type": "application/x-tar"}))
    assert run(docker, "save", "-o", str(tmp_path / "out.tar"), "busybox", "me/app:1", env=env).code == 0
    assert (tmp_path / "out.tar").read_bytes() == b"TARDATA"
    assert query(docker, "/images/get") == {"names": ["busybox", "me/app:1"]}
    docker.router.add("GET", "/images/get", MockResponse.error(404, "No such image: nope:latest"))
    failed = run(docker, "save", "-o", str(tmp_path / "nope.tar"), "nope", env=env)
    assert failed.code == 1 and failed.err == "Error response from daemon: No such image: nope:latest\n"
    assert not (tmp_path / "nope.tar").exists()


def test_load_and_import_send_the_archive(docker: Docker, tmp_path: Path, env: dict) -> None:
    archive = tmp_path / "a.tar"
    archive.write_bytes(b"ARCHIVE")
    docker.router.add("POST", "/images/load", MockResponse.ndjson([{"stream": "Loaded image: busybox:latest\n"}]))
    assert run(docker, "load", "-i", str(archive), env=env).out == "Loaded image: busybox:latest\n"
    assert last(docker, "/images/load").body == b"ARCHIVE"
    assert run(docker, "load", "-i", str(tmp_path / "missing.tar"), env=env).code == 1

    docker.router.add("POST", "/images/create", MockResponse.ndjson([{"status": "sha256:" + "ab" * 32}]))
    result = run(docker, "import", "-c", "CMD [\"sh\"]", "-c", "ENV A=1", "-m", "hi", str(archive), "flat:1", env=env)
    assert result.out == "sha256:" + "ab" * 32 + "\n"
    assert query(docker, "/images/create") == {"fromSrc": ["-"], "repo": ["flat"], "tag": ["1"], "message": ["hi"],
                                               "changes": ['CMD ["sh"]', "ENV A=1"]}
    assert run(docker, "import", "https://example.invalid/rootfs.tar", env=env).code == 1


def test_commit_sends_docker_s_query(docker: Docker, env: dict) -> None:
    docker.router.add("POST", "/commit", MockResponse.json({"Id": "sha256:" + "cd" * 32}, status=201))
    result = run(docker, "commit", "-a", "me", "-m", "msg", "-c", "ENV X=1", "--pause=false", "web",
                 "127.0.0.1:5000/snap:2", env=env)
    assert result.out == "sha256:" + "cd" * 32 + "\n"
    assert query(docker, "/commit") == {"container": ["web"], "repo": ["127.0.0.1:5000/snap"], "tag": ["2"],
                                        "comment": ["msg"], "author": ["me"], "pause": ["0"], "changes": ["ENV X=1"]}
    assert run(docker, "commit", "web", "Bad:Name", env=env).code == 1


def test_image_group_aliases(docker: Docker, env: dict) -> None:
    for sub in ("build", "push", "pull", "save", "load", "import"):
        assert run(docker, "image", sub, "--help", env=env).code == 0
    assert run(docker, "container", "commit", "--help", env=env).code == 0
