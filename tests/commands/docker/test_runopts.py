"""The create body from docker run's flags."""

import io

import pytest

from sandbox.commands.docker._runopts import nano_cpus, parse_mounts, parse_publish, parse_volumes, restart_policy
from sandbox.commands.docker.run import parser_run
from sandbox.commands.docker._runopts import create_body
from sandbox.errors import UsageError


def body(*argv: str, detach: bool = False, env: dict | None = None) -> dict:
    ns = parser_run().parse(list(argv), io.StringIO())
    return create_body("run", ns, ns.args[0], ns.args[1:], detach=detach, environ=env or {})


def test_limits_and_process_settings() -> None:
    b = body("-e", "A=1", "-e", "HOME", "-m", "64m", "--cpus", "1.5", "--pids-limit", "20", "-w", "/tmp", "-u", "0",
             "--hostname", "hh", "--entrypoint", "/bin/sh", "--restart", "on-failure:3", "busybox", "-c", "true",
             env={"HOME": "/root"})
    assert b["Env"] == ["A=1", "HOME=/root"]
    hc = b["HostConfig"]
    assert (hc["Memory"], hc["NanoCpus"], hc["PidsLimit"]) == (64 * 2**20, 1_500_000_000, 20)
    assert (b["WorkingDir"], b["User"], b["Hostname"], b["Entrypoint"]) == ("/tmp", "0", "hh", ["/bin/sh"])
    assert b["Cmd"] == ["-c", "true"]
    assert hc["RestartPolicy"] == {"Name": "on-failure", "MaximumRetryCount": 3}


def test_defaults_look_like_the_cli() -> None:
    b = body("busybox")
    assert b["Cmd"] is None and b["Entrypoint"] is None
    assert b["HostConfig"]["NetworkMode"] == "default"
    assert b["HostConfig"]["RestartPolicy"] == {"Name": "no", "MaximumRetryCount": 0}
    assert b["NetworkingConfig"] == {"EndpointsConfig": {"default": {"Aliases": None}}}
    assert b["Tty"] is False and b["OpenStdin"] is False


def test_unset_env_variable_stays_bare() -> None:
    assert body("-e", "NOPE", "busybox")["Env"] == ["NOPE"]


def test_interactive_and_detached_streams() -> None:
    b = body("-it", "busybox")
    assert b["AttachStdin"] and b["OpenStdin"] and b["StdinOnce"] and b["Tty"]
    d = body("-i", "busybox", detach=True)
    assert not d["AttachStdin"] and d["OpenStdin"] and not d["StdinOnce"]


def test_publish_forms() -> None:
    exposed, bindings = parse_publish("run", ["8080:80", "127.0.0.1:53:53/udp", "90", "7000-7001:7000-7001"], ["443"])
    assert exposed == {"80/tcp": {}, "53/udp": {}, "90/tcp": {}, "7000/tcp": {}, "7001/tcp": {}, "443/tcp": {}}
    assert bindings["80/tcp"] == [{"HostIp": "", "HostPort": "8080"}]
    assert bindings["53/udp"] == [{"HostIp": "127.0.0.1", "HostPort": "53"}]
    assert bindings["90/tcp"] == [{"HostIp": "", "HostPort": ""}]
    assert bindings["7001/tcp"] == [{"HostIp": "", "HostPort": "7001"}]


@pytest.mark.parametrize("spec", ["80/icmp", "a:b", "1:2:3:4", "0", "70000", "1-2:1-3"])
def test_publish_rejects(spec: str) -> None:
    with pytest.raises(UsageError):
        parse_publish("run", [spec], [])


def test_volumes() -> None:
    binds, anonymous = parse_volumes("run", ["/host:/data:ro", "named:/v", "/anon"])
    assert binds == ["/host:/data:ro", "named:/v"]
    assert anonymous == {"/anon": {}}


@pytest.mark.parametrize("spec", ["", "a:b:c:d", "rel", "/x:rel", "/x::ro"])
def test_volumes_reject(spec: str) -> None:
    with pytest.raises(UsageError):
        parse_volumes("run", [spec])


def test_mounts() -> None:
    assert parse_mounts("run", ["type=bind,source=/a,target=/b,readonly"]) == [
        {"Type": "bind", "Source": "/a", "Target": "/b", "ReadOnly": True}]
    assert parse_mounts("run", ["type=tmpfs,dst=/t,tmpfs-size=1m"])[0]["TmpfsOptions"] == {"SizeBytes": 2**20}


@pytest.mark.parametrize("spec", ["type=nfs,target=/x", "source=/a", "type=bind,target=/b,colour=red"])
def test_mounts_reject(spec: str) -> None:
    with pytest.raises(UsageError):
        parse_mounts("run", [spec])


@pytest.mark.parametrize("text, expected", [
    ("", {"Name": "no", "MaximumRetryCount": 0}), ("always", {"Name": "always", "MaximumRetryCount": 0}),
    ("unless-stopped", {"Name": "unless-stopped", "MaximumRetryCount": 0}),
    ("on-failure", {"Name": "on-failure", "MaximumRetryCount": 0}),
])
def test_restart_policies(text: str, expected: dict) -> None:
    assert restart_policy("run", text) == expected


@pytest.mark.parametrize("text", ["sometimes", "always:3", "on-failure:x", "on-failure:-1"])
def test_restart_policies_reject(text: str) -> None:
    with pytest.raises(UsageError):
        restart_policy("run", text)


@pytest.mark.parametrize("text, expected", [("1", 10**9), ("0.5", 5 * 10**8), ("2.000000001", 2_000_000_001)])
def test_cpus(text: str, expected: int) -> None:
    assert nano_cpus(text) == expected


@pytest.mark.parametrize("text, problem", [("one", "failed to parse one as a rational number"),
                                           ("0.0000000001", "value is too precise")])
def test_cpus_reject(text: str, problem: str) -> None:
    with pytest.raises(ValueError) as info:
        nano_cpus(text)
    assert problem in str(info.value)


@pytest.mark.parametrize("argv, problem", [
    (["-m", "1x"], 'invalid argument "1x" for "-m, --memory" flag: invalid suffix: \'x\''),
    (["--memory-swap", "1lots"], 'invalid argument "1lots" for "--memory-swap" flag: invalid suffix: \'lots\''),
    (["--shm-size", "-5m"], "invalid argument"),
])
def test_size_flags_fail_while_parsing(argv: list[str], problem: str) -> None:
    with pytest.raises(UsageError) as info:
        body(*argv, "busybox")
    assert problem in info.value.problem


def test_unlimited_swap() -> None:
    assert body("--memory-swap", "-1", "busybox")["HostConfig"]["MemorySwap"] == -1
