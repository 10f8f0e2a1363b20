"""docker run's request order, its exit codes, and the create body."""

import socket

import pytest

from sandbox.client import MockResponse, encode_frame

CID = "c" * 64


def engine(docker, *, exit_code: int = 0, output: bytes = b"", missing_image: bool = False,
           start_error: str | None = None) -> list[str]:
    """Canned answers for the whole run sequence; returns the list of pulled images."""
    pulls: list[str] = []
    created = {"n": 0}

    def create(request):
        created["n"] += 1
        if missing_image and created["n"] == 1:
            return MockResponse.error(404, "No such image: busybox:latest")
        return MockResponse.json({"Id": CID, "Warnings": ["careful"] if request.json()["HostConfig"].get("Memory") else []},
                                 status=201)

    def pull(request):
        pulls.append(request.query["fromImage"] + ":" + request.query["tag"])
        return MockResponse.ndjson([{"status": "Pulling from library/busybox", "id": "latest"},
                                    {"status": "Downloading", "progressDetail": {"current": 1, "total": 2}, "id": "x"},
                                    {"status": "Status: Downloaded newer image for busybox:latest"}])

    def attach(request):
        def serve(sock: socket.socket) -> None:
            if output:
                sock.sendall(output)
            sock.shutdown(socket.SHUT_WR)
            while sock.recv(1024):
                pass
        return MockResponse.hijacked(serve)

    docker.router.add("POST", "/containers/create", create)
    docker.router.add("POST", "/images/create", pull)
    docker.router.add("POST", f"/containers/{CID}/attach", attach)
    docker.router.add("POST", f"/containers/{CID}/wait", MockResponse.json({"StatusCode": exit_code, "Error": None}))
    docker.router.add("POST", f"/containers/{CID}/start",
                      MockResponse.error(400, start_error) if start_error else MockResponse(204))
    return pulls


def test_attached_run_order_and_output(docker) -> None:
    engine(docker, output=encode_frame(1, b"hi\n") + encode_frame(2, b"warn\n"))
    result = docker("run", "--rm", "busybox", "echo", "hi")
    assert result.code == 0
    assert result.out == "hi\n"
    assert result.err == "warn\n"
    assert docker.routes() == ["POST /containers/create", f"POST /containers/{CID}/attach",
                               f"POST /containers/{CID}/wait", f"POST /containers/{CID}/start"]
    reqs = [r for r in docker.transport.requests if r.route != "/_ping"]
    assert reqs[1].query == {"stderr": "1", "stdout": "1", "stream": "1"}
    assert reqs[2].query == {"condition": "removed"}
    body = reqs[0].json()
    assert body["Cmd"] == ["echo", "hi"] and body["Image"] == "busybox"
    assert body["AttachStdout"] and body["AttachStderr"] and not body["AttachStdin"]
    assert body["HostConfig"]["AutoRemove"] is True


def test_exit_code_is_the_containers(docker) -> None:
    engine(docker, exit_code=3)
    assert docker("run", "busybox", "sh", "-c", "exit 3").code == 3
    assert docker.transport.requests[-2].query == {"condition": "next-exit"}


def test_detached_prints_the_id_and_waits_for_nothing(docker) -> None:
    engine(docker)
    result = docker("run", "-d", "--name", "web", "busybox", "sleep", "10")
    assert result.out == CID + "\n"
    assert docker.routes() == ["POST /containers/create", f"POST /containers/{CID}/wait",
                               f"POST /containers/{CID}/start"]
    create = next(r for r in docker.transport.requests if r.route.endswith("/containers/create"))
    assert create.query == {"name": "web"}
    assert not create.json()["AttachStdout"]


def test_missing_image_is_pulled_then_created_again(docker) -> None:
    pulls = engine(docker, missing_image=True)
    result = docker("run", "-d", "busybox", "true")
    assert result.code == 0
    assert pulls == ["docker.io/library/busybox:latest"]
    assert docker.routes()[:3] == ["POST /containers/create", "POST /images/create", "POST /containers/create"]
    assert result.err.splitlines() == ["Unable to find image 'busybox:latest' locally", "latest: Pulling from library/busybox",
                                       "Status: Downloaded newer image for busybox:latest"]


def test_pull_never_does_not_pull(docker) -> None:
    engine(docker, missing_image=True)
    result = docker("run", "--pull", "never", "busybox", "true")
    assert result.code == 125
    assert result.err == "docker: Error response from daemon: No such image: busybox:latest\n\n" \
                         "Run 'docker run --help' for more information\n"


@pytest.mark.parametrize("message, code", [
    ('exec: "nosuch": executable file not found in $PATH', 127),
    ("exec /etc: permission denied", 126),
    ("cgroup setup failed", 125),
])
def test_start_failures_map_to_dockers_codes(docker, message: str, code: int) -> None:
    engine(docker, start_error=message)
    result = docker("run", "busybox", "nosuch")
    assert result.code == code
    assert result.err.startswith(f"docker: Error response from daemon: {message}")


def test_warnings_are_printed(docker) -> None:
    engine(docker)
    assert "WARNING: careful" in docker("run", "-d", "-m", "64m", "busybox", "true").err


@pytest.mark.parametrize("argv, problem", [
    (["--restart", "always", "--rm", "busybox"], "cannot specify both --restart and --rm"),
    (["-m", "lots", "busybox"], "invalid size: 'lots'"),
    (["--cpus", "x", "busybox"], "--cpus"),
    (["--pull", "sometimes", "busybox"], "invalid pull option"),
    (["-d", "-a", "stdout", "busybox"], "cannot specify both --attach and --detach"),
    (["-p", "99999:80", "busybox"], "invalid host port"),
    (["-v", "relative:path", "busybox"], "invalid volume specification"),
])
def test_bad_options_exit_125_before_any_request(docker, argv: list[str], problem: str) -> None:
    result = docker("run", *argv)
    assert result.code == 125
    assert problem in result.err
    assert docker.routes() == []


def test_tty_and_interactive_need_a_terminal(docker) -> None:
    result = docker("run", "-it", "busybox", "sh")
    assert result.code == 125
    assert "the input device is not a TTY" in result.err


def test_interactive_stdin_reaches_the_container(docker) -> None:
    received: list[bytes] = []

    def attach(request):
        def serve(sock: socket.socket) -> None:
            data = b""
            while chunk := sock.recv(1024):
                data += chunk
            received.append(data)
            sock.sendall(encode_frame(1, data.upper()))
        return MockResponse.hijacked(serve)

    engine(docker)
    docker.router.add("POST", f"/containers/{CID}/attach", attach)
    result = docker("run", "-i", "--rm", "busybox", "cat", stdin="piped\n")
    assert received == [b"piped\n"]
    assert result.out == "PIPED\n"
    attach_request = next(r for r in docker.transport.requests if r.route.endswith("/attach"))
    assert attach_request.query["stdin"] == "1"
