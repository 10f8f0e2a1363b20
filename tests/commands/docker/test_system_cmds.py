"""inspect, events, version, info, stats, df, prune, images commands, and main's errors."""

import json

import pytest

from sandbox.client import MockResponse
from sandbox.commands.docker import COMMANDS, GROUPS, main
from sandbox.commands.docker.stats import StatsRow, cpu_percent, sample

CONTAINER = {"Id": "abc", "Name": "/web", "State": {"Status": "running", "Running": True, "Pid": 7},
             "Config": {"Cmd": ["sleep", "1"], "Entrypoint": None, "Labels": {}}, "HostConfig": {"Binds": None}}


def test_inspect_indents_like_docker(docker) -> None:
    docker.router.add("GET", "/containers/web/json", MockResponse.json(CONTAINER))
    out = docker("inspect", "web").out
    assert out.startswith('[\n    {\n        "Id": "abc",\n        "Name": "/web",\n')
    assert json.loads(out) == [CONTAINER]


def test_inspect_format_uses_go_views(docker) -> None:
    docker.router.add("GET", "/containers/web/json", MockResponse.json(CONTAINER))
    out = docker("inspect", "-f", "{{.State.Running}} {{.Config.Entrypoint}} {{.HostConfig.Binds}} {{.State}} "
                                  "{{.State.Health}} {{json .Config.Cmd}}", "web").out
    assert out == 'true [] [] {running true 7 <nil>} <nil> ["sleep","1"]\n'


def test_inspect_falls_back_to_images_and_reports_missing(docker) -> None:
    docker.router.add("GET", "/images/busybox/json", MockResponse.json({"Id": "sha256:1", "Os": "linux"}))
    result = docker("inspect", "-f", "{{.Os}}", "busybox", "nope")
    assert (result.code, result.out, result.err) == (1, "linux\n", "Error: No such object: nope\n")
    assert docker.routes()[:2] == ["GET /containers/busybox/json", "GET /images/busybox/json"]


def test_inspect_typed(docker) -> None:
    docker.router.add("GET", "/images/nope/json", MockResponse.error(404, "No such image: nope:latest"))
    result = docker("image", "inspect", "nope")
    assert (result.out, result.err) == ("[]\n", "Error response from daemon: No such image: nope:latest\n")
    assert docker.routes() == ["GET /images/nope/json"]


def test_inspect_unknown_field_is_an_error(docker) -> None:
    docker.router.add("GET", "/containers/web/json", MockResponse.json(CONTAINER))
    result = docker("inspect", "-f", "{{.Nope}}", "web")
    assert result.code == 1
    assert 'map has no entry for key "Nope"' in result.err


def test_events_default_lines_and_format(docker) -> None:
    event = {"status": "start", "id": "abc", "from": "busybox", "Type": "container", "Action": "start",
             "Actor": {"ID": "abc", "Attributes": {"name": "web", "image": "busybox"}}, "scope": "local",
             "time": 1700000000, "timeNano": 1700000000123456789}
    docker.router.add("GET", "/events", lambda request: MockResponse.ndjson([event]))
    assert docker("events", "--since", "1700000000", "--until", "1700000001").out == (
        "2023-11-14T22:13:20.123456789Z container start abc (image=busybox, name=web)\n")
    assert docker.transport.requests[-1].query == {"since": "1700000000", "until": "1700000001"}
    assert docker("events", "--format", "{{.Actor.Attributes.name}} {{.Action}}").out == "web start\n"
    assert docker("events", "--format", "json").out == json.dumps(event, separators=(",", ":")) + "\n"


VERSION = {"Platform": {"Name": ""}, "Components": [
    {"Name": "Engine", "Version": "0.1.0", "Details": {"ApiVersion": "1.47", "MinAPIVersion": "1.41",
                                                      "GitCommit": "g", "GoVersion": "python3.11", "Os": "linux",
                                                      "Arch": "amd64", "BuildTime": "2026-05-07T21:09:36.000000000+00:00",
                                                      "Experimental": "false"}},
    {"Name": "runtime", "Version": "1.0", "Details": {"b": "2", "a": "1"}}],
    "Version": "0.1.0", "ApiVersion": "1.47"}


def test_version_server_section(docker) -> None:
    docker.router.add("GET", "/version", MockResponse.json(VERSION))
    out = docker("version").out
    server = out[out.index("Server:"):].splitlines()
    assert server == ["Server:", " Engine:", "  Version:          0.1.0",
                      "  API version:      1.47 (minimum version 1.41)", "  Go version:       python3.11",
                      "  Git commit:       g", "  Built:            Thu May  7 21:09:36 2026",
                      "  OS/Arch:          linux/amd64", "  Experimental:     false", " runtime:",
                      "  Version:          1.0", "  a:                1", "  b:                2"]
    assert " API version:       1.47\n" in out
    assert docker("version", "--format", "{{.Server.Version}}").out == "0.1.0\n"


def test_version_with_an_older_engine_says_downgraded(docker) -> None:
    docker.router.api_version = "1.41"
    docker.router.add("GET", "/version", MockResponse.json(VERSION))
    assert " API version:       1.41 (downgraded from 1.47)\n" in docker("version").out


def test_info_layout(docker) -> None:
    docker.router.add("GET", "/info", MockResponse.json({
        "Containers": 2, "ContainersRunning": 1, "ContainersPaused": 0, "ContainersStopped": 1, "Images": 1,
        "ServerVersion": "0.1.0", "Driver": "overlay", "DriverStatus": [["Backing Filesystem", "extfs"]],
        "Plugins": {"Volume": ["local"], "Network": ["bridge"], "Log": ["json-file"]},
        "Swarm": {"LocalNodeState": "inactive"}, "Runtimes": {"sandbox": {}}, "DefaultRuntime": "sandbox",
        "OSType": "linux", "SecurityOptions": ["name=seccomp,profile=default", "name=cgroupns"],
        "NCPU": 2, "MemTotal": 25275572224, "Name": "vm", "DockerRootDir": "/var/lib/sandbox",
        "Warnings": ["WARNING: no swap limit support"]}))
    result = docker("info")
    lines = result.out.splitlines()
    assert lines[:6] == ["Client:", lines[1], " Context:    default", " Debug Mode: false", "", "Server:"]
    assert " Containers: 2" in lines and "  Backing Filesystem: extfs" in lines
    assert lines[lines.index(" Security Options:") + 1:][:3] == ["  seccomp", "   Profile: default", "  cgroupns"]
    assert " Total Memory: 23.54GiB" in lines
    assert result.err == "WARNING: no swap limit support\n"
    assert docker("info", "--format", "{{.NCPU}}").out == "2\n"


STATS = {"id": "f69ea429798860f3", "name": "/web", "pids_stats": {"current": 1},
         "cpu_stats": {"cpu_usage": {"total_usage": 300}, "system_cpu_usage": 2000, "online_cpus": 2},
         "precpu_stats": {"cpu_usage": {"total_usage": 100}, "system_cpu_usage": 1000},
         "memory_stats": {"usage": 419488, "limit": int(23.54 * 1024**3), "stats": {"total_inactive_file": 100000}},
         "networks": {"eth0": {"rx_bytes": 1500, "tx_bytes": 0}},
         "blkio_stats": {"io_service_bytes_recursive": [{"op": "Read", "value": 4096}, {"op": "write", "value": 0}]}}


def test_stats_math() -> None:
    assert cpu_percent(STATS) == pytest.approx(40.0)
    row = StatsRow(sample("web", STATS))
    assert (row.ID(), row.Name(), row.CPUPerc(), row.MemUsage(), row.MemPerc(), row.NetIO(), row.BlockIO(),
            row.PIDs()) == ("f69ea4297988", "web", "40.00%", "312KiB / 23.54GiB", "0.00%", "1.5kB / 0B",
                            "4.1kB / 0B", "1")


def test_stats_no_stream_lists_running_containers(docker) -> None:
    docker.router.add("GET", "/containers/json", MockResponse.json([{"Id": "f69ea429798860f3"}]))
    docker.router.add("GET", "/containers/f69ea4297988/stats", MockResponse.json(STATS))
    out = docker("stats", "--no-stream").out.splitlines()
    assert out[0].split("   ")[0] == "CONTAINER ID"
    assert out[1].startswith("f69ea4297988   web       40.00%")
    assert docker.transport.requests[-1].query == {"stream": "0"}


def test_system_df(docker) -> None:
    docker.router.add("GET", "/system/df", MockResponse.json({
        "LayersSize": 1984230, "Images": [{"Size": 1984230, "SharedSize": 0, "Containers": 1}],
        "Containers": [{"State": "running", "SizeRw": 2}, {"State": "exited", "SizeRw": 8}],
        "Volumes": [], "BuildCache": []}))
    assert docker("system", "df").out.splitlines() == [
        "TYPE            TOTAL     ACTIVE    SIZE      RECLAIMABLE",
        "Images          1         1         1.984MB   0B (0%)",
        "Containers      2         1         10B       8B (80%)",
        "Local Volumes   0         0         0B        0B",
        "Build Cache     0         0         0B        0B",
    ]


def test_prune_asks_first(docker) -> None:
    docker.router.add("POST", "/containers/prune", MockResponse.json({"ContainersDeleted": ["a1"], "SpaceReclaimed": 1000}))
    declined = docker("container", "prune", stdin="n\n")
    assert "Are you sure you want to continue? [y/N]" in declined.out
    assert docker.routes() == []
    accepted = docker("container", "prune", stdin="y\n")
    assert accepted.out.endswith("Deleted Containers:\na1\n\nTotal reclaimed space: 1kB\n")
    docker.router.add("POST", "/images/prune", MockResponse.json({"ImagesDeleted": [{"Untagged": "x:1"}], "SpaceReclaimed": 0}))
    assert "untagged: x:1" in docker("image", "prune", "-a", "-f").out
    assert json.loads(docker.transport.requests[-1].query["filters"]) == {"dangling": {"false": True}}


def test_tag_rmi_pull(docker) -> None:
    docker.router.add("POST", "/images/busybox/tag", MockResponse(201))
    assert docker("tag", "busybox", "my/img:2").code == 0
    assert docker.transport.requests[-1].query == {"repo": "docker.io/my/img", "tag": "2"}
    assert docker("tag", "busybox", "Bad:Name").code == 1
    docker.router.add("DELETE", "/images/my/img:2", MockResponse.json([{"Untagged": "my/img:2"}, {"Deleted": "sha256:9"}]))
    assert docker("rmi", "my/img:2").out == "Untagged: my/img:2\nDeleted: sha256:9\n"
    docker.router.add("POST", "/images/create", MockResponse.ndjson([{"status": "Status: Image is up to date for busybox:latest"}]))
    assert docker("pull", "busybox").out == "Status: Image is up to date for busybox:latest\ndocker.io/library/busybox:latest\n"


def test_unknown_command_and_group_help(docker) -> None:
    result = docker("frobnicate")
    assert (result.code, result.err.splitlines()[0]) == (1, "docker: unknown command: docker frobnicate")
    assert "ls" in docker("image").out
    assert docker("image", "nope").code == 1
    assert "Common Commands:" in docker("--help").out
    assert docker("-v").out.startswith("Docker version")


def test_engine_unavailable_is_explained(tmp_path) -> None:
    import io

    out, err = io.StringIO(), io.StringIO()
    code = main(["ps"], stdout=out, stderr=err, env={"DOCKER_HOST": f"unix://{tmp_path}/none.sock"})
    assert code == 1
    assert "cannot connect to the engine" in err.getvalue()
    assert "sudo sandbox up" in err.getvalue()


def test_global_host_flag(tmp_path) -> None:
    import io

    err = io.StringIO()
    assert main(["-H", f"unix://{tmp_path}/h.sock", "ps"], stdout=io.StringIO(), stderr=err, env={}) == 1
    assert f"{tmp_path}/h.sock" in err.getvalue()


def test_every_command_has_a_parser_and_a_runner() -> None:
    entries = list(COMMANDS.values()) + [e for group in GROUPS.values() for e in group.values()]
    for entry in entries:
        parser = entry.parser()
        assert parser.usage.startswith("docker "), entry.name
        assert callable(entry.runner()), entry.name


def test_seed_command_table_is_covered() -> None:
    seed = {"info", "version", "create", "exec", "kill", "pause", "restart", "rm", "run", "start", "stop", "unpause",
            "attach", "export", "inspect", "port", "ps", "rename", "stats", "top", "wait", "cp", "diff", "update",
            "events", "history", "logs", "images", "rmi", "tag"}
    assert seed <= set(COMMANDS)
    assert {"ls", "inspect", "rm", "tag", "history", "prune"} <= set(GROUPS["image"])


def test_help_for_every_command_exits_zero(docker) -> None:
    for name in COMMANDS:
        result = docker(name, "--help")
        assert result.code == 0 and "Usage:  docker" in result.out, name
    assert docker.routes() == []


def test_stats_stream_redraws_until_interrupted(docker, monkeypatch) -> None:
    import io
    import time

    import sandbox.commands.docker.stats as stats_mod

    docker.router.add("GET", "/containers/json", MockResponse.json([{"Id": "f69ea429798860f3"}]))
    docker.router.add("GET", "/containers/f69ea4297988/stats", lambda r: MockResponse.ndjson([STATS]))
    out = io.StringIO()
    deadline = time.monotonic() + 10

    def fake_pause(_seconds: float) -> None:
        # Instead of a second between redraws: redraw until the sample shows, then ^C.
        if "40.00%" in out.getvalue() or time.monotonic() > deadline:
            raise KeyboardInterrupt
        time.sleep(0.01)

    monkeypatch.setattr(stats_mod, "_pause", fake_pause)
    code = main(["stats"], client=docker.client, stdout=out, stderr=io.StringIO())
    assert code == 0
    assert out.getvalue().startswith("\x1b[2J\x1b[H")
    assert "CONTAINER ID" in out.getvalue()
    assert "f69ea4297988   web       40.00%" in out.getvalue()
