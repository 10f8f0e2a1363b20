"""exec, the lifecycle commands, logs, top, diff, port, update, wait and rename."""

import json
import socket

import pytest

from sandbox.client import MockResponse, encode_frame


def test_exec_order_and_exit_code(docker) -> None:
    docker.router.add("GET", "/containers/web/json", MockResponse.json({"Id": "w", "State": {"Running": True}}))
    docker.router.add("POST", "/containers/web/exec", MockResponse.json({"Id": "e1"}, status=201))
    docker.router.add("POST", "/exec/e1/start", MockResponse.hijacked(
        lambda s: s.sendall(encode_frame(1, b"in\n") + encode_frame(2, b"err\n"))))
    docker.router.add("GET", "/exec/e1/json", MockResponse.json({"ExitCode": 5, "Running": False}))
    result = docker("exec", "-e", "A=1", "-w", "/tmp", "web", "sh", "-c", "exit 5")
    assert (result.code, result.out, result.err) == (5, "in\n", "err\n")
    assert docker.routes() == ["GET /containers/web/json", "POST /containers/web/exec", "POST /exec/e1/start",
                               "GET /exec/e1/json"]
    create = next(r for r in docker.transport.requests if r.route.endswith("/exec"))
    assert create.json()["Cmd"] == ["sh", "-c", "exit 5"]
    assert create.json()["Env"] == ["A=1"] and create.json()["WorkingDir"] == "/tmp"


def test_exec_detached(docker) -> None:
    docker.router.add("GET", "/containers/web/json", MockResponse.json({"Id": "w"}))
    docker.router.add("POST", "/containers/web/exec", MockResponse.json({"Id": "e1"}, status=201))
    docker.router.add("POST", "/exec/e1/start", MockResponse(200))
    assert docker("exec", "-d", "web", "sleep", "1").code == 0
    assert docker.transport.requests[-1].json() == {"Detach": True, "Tty": False}


def test_exec_in_a_stopped_container(docker) -> None:
    docker.router.add("GET", "/containers/web/json", MockResponse.json({"Id": "w"}))
    docker.router.add("POST", "/containers/web/exec", MockResponse.error(409, "container web is not running"))
    result = docker("exec", "web", "true")
    assert (result.code, result.err) == (1, "Error response from daemon: container web is not running\n")


def test_exec_with_stdin(docker) -> None:
    def serve(sock: socket.socket) -> None:
        data = b""
        while chunk := sock.recv(100):
            data += chunk
        sock.sendall(encode_frame(1, data[::-1]))

    docker.router.add("GET", "/containers/web/json", MockResponse.json({"Id": "w"}))
    docker.router.add("POST", "/containers/web/exec", MockResponse.json({"Id": "e1"}, status=201))
    docker.router.add("POST", "/exec/e1/start", MockResponse.hijacked(serve))
    docker.router.add("GET", "/exec/e1/json", MockResponse.json({"ExitCode": 0}))
    assert docker("exec", "-i", "web", "rev", stdin="abc").out == "cba"


@pytest.mark.parametrize("command, route, query", [
    (["stop", "-t", "3"], "/stop", {"t": "3"}),
    (["stop", "--signal", "INT"], "/stop", {"signal": "INT"}),
    (["restart"], "/restart", {}),
    (["kill", "-s", "HUP"], "/kill", {"signal": "HUP"}),
    (["pause"], "/pause", {}),
    (["unpause"], "/unpause", {}),
    (["rm", "-f", "-v"], "", {"force": "1", "v": "1"}),
])
def test_lifecycle_commands_echo_each_name(docker, command: list[str], route: str, query: dict) -> None:
    method = "DELETE" if command[0] == "rm" else "POST"
    for name in ("a", "b"):
        docker.router.add(method, f"/containers/{name}{route}", MockResponse(204))
    result = docker(*command, "a", "b")
    assert (result.code, result.out) == (0, "a\nb\n")
    assert docker.transport.requests[-1].query == query


def test_one_failure_does_not_stop_the_others(docker) -> None:
    docker.router.add("POST", "/containers/a/stop", MockResponse.error(404, "No such container: a"))
    docker.router.add("POST", "/containers/b/stop", MockResponse(204))
    result = docker("stop", "a", "b")
    assert (result.code, result.out, result.err) == (1, "b\n", "Error response from daemon: No such container: a\n")


def test_rm_force_of_a_missing_container_is_not_a_failure(docker) -> None:
    docker.router.add("DELETE", "/containers/gone", MockResponse.error(404, "No such container: gone"))
    result = docker("rm", "-f", "gone")
    assert result.code == 0
    assert "No such container: gone" in result.err
    assert docker("rm", "gone").code == 1


def test_missing_argument_wording(docker) -> None:
    result = docker("rm")
    assert result.code == 1
    assert result.err == ("docker: 'docker rm' requires at least 1 argument\n\n"
                          "Usage:  docker rm [OPTIONS] CONTAINER [CONTAINER...]\n\n"
                          "See 'docker rm --help' for more information\n")


def test_wait_prints_exit_codes(docker) -> None:
    docker.router.add("POST", "/containers/a/wait", MockResponse.json({"StatusCode": 3}))
    assert docker("wait", "a").out == "3\n"


def test_rename(docker) -> None:
    docker.router.add("POST", "/containers/a/rename", MockResponse(204))
    assert docker("rename", "a", "b").code == 0
    assert docker.transport.requests[-1].query == {"name": "b"}
    assert docker("rename", "a").code == 1


def test_logs_split_streams_and_flags(docker) -> None:
    docker.router.add("GET", "/containers/web/json", MockResponse.json({"Id": "w1", "Config": {"Tty": False}}))
    docker.router.add("GET", "/containers/w1/logs", MockResponse(200, encode_frame(1, b"o\n") + encode_frame(2, b"e\n")))
    result = docker("logs", "-f", "-t", "--tail", "2", "--since", "1700000000", "web")
    assert (result.out, result.err) == ("o\n", "e\n")
    assert docker.transport.requests[-1].query == {"follow": "1", "stdout": "1", "stderr": "1",
                                                   "since": "1700000000", "timestamps": "1", "tail": "2"}


def test_top_uses_a_20_wide_table(docker) -> None:
    docker.router.add("GET", "/containers/web/top", MockResponse.json(
        {"Titles": ["UID", "PID", "CMD"], "Processes": [["root", "25640", "sleep 1000"]]}))
    assert docker("top", "web").out.splitlines() == [
        "UID                 PID                 CMD", "root                25640               sleep 1000"]
    docker("top", "web", "-o", "pid")
    assert docker.transport.requests[-1].query == {"ps_args": "-o pid"}


def test_diff_kinds(docker) -> None:
    docker.router.add("GET", "/containers/web/changes", MockResponse.json(
        [{"Path": "/tmp", "Kind": 0}, {"Path": "/tmp/f", "Kind": 1}, {"Path": "/etc/group", "Kind": 2}]))
    assert docker("diff", "web").out == "C /tmp\nA /tmp/f\nD /etc/group\n"


def test_port(docker) -> None:
    ports = {"80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "8080"}, {"HostIp": "::", "HostPort": "8080"}],
             "9/tcp": [{"HostIp": "0.0.0.0", "HostPort": "9"}], "53/udp": None}
    docker.router.add("GET", "/containers/web/json", MockResponse.json({"NetworkSettings": {"Ports": ports}}))
    assert docker("port", "web").out.splitlines() == ["9/tcp -> 0.0.0.0:9", "80/tcp -> 0.0.0.0:8080",
                                                      "80/tcp -> [::]:8080"]
    assert docker("port", "web", "80").out == "0.0.0.0:8080\n[::]:8080\n"
    missing = docker("port", "web", "53/udp")
    assert (missing.code, missing.err) == (1, "Error: No public port '53/udp' published for web\n")


def test_update(docker) -> None:
    docker.router.add("POST", "/containers/web/update", MockResponse.json({"Warnings": ["w1"]}))
    result = docker("update", "-m", "64m", "--cpus", "0.5", "--pids-limit", "10", "--restart", "always", "web")
    assert (result.out, result.err) == ("web\n", "w1\n")
    assert docker.transport.requests[-1].json() == {
        "NanoCpus": 500_000_000, "Memory": 64 * 2**20, "PidsLimit": 10,
        "RestartPolicy": {"Name": "always", "MaximumRetryCount": 0}}
    assert docker("update", "web").code == 1


def test_start_several(docker) -> None:
    docker.router.add("POST", "/containers/a/start", MockResponse(204))
    assert docker("start", "a").out == "a\n"


def test_create_prints_the_id(docker) -> None:
    docker.router.add("POST", "/containers/create", MockResponse.json({"Id": "abc", "Warnings": []}, status=201))
    result = docker("create", "--name", "x", "busybox", "echo", "hi")
    assert (result.code, result.out) == (0, "abc\n")
    assert json.loads(docker.transport.requests[-1].body)["Cmd"] == ["echo", "hi"]
