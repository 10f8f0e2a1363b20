"""From a create request to the container's Config, HostConfig and runtime limits."""

from __future__ import annotations

import pytest

from sandbox.engine.containers import translate
from sandbox.errors import InvalidParameter

IMAGE = {"Env": ["PATH=/bin", "LANG=C"], "Cmd": ["sh"], "Entrypoint": None, "WorkingDir": "/srv",
         "Labels": {"from": "image", "keep": "1"}, "User": "user"}


def test_merge_fills_from_the_image() -> None:
    cfg = translate.merge_config({"Image": "busybox", "Env": ["LANG=en", "X=1"], "Labels": {"from": "run"}},
                                 IMAGE, "0123456789ab" + "f" * 52)
    assert cfg["Cmd"] == ["sh"] and cfg["Entrypoint"] is None and cfg["WorkingDir"] == "/srv"
    assert cfg["Env"] == ["PATH=/bin", "LANG=en", "X=1"]
    assert cfg["Labels"] == {"from": "run", "keep": "1"} and cfg["User"] == "user"
    assert cfg["Hostname"] == "0123456789ab" and cfg["Tty"] is False
    assert translate.command_of(cfg) == ("sh", [])


def test_entrypoint_rules() -> None:
    with_entry = {**IMAGE, "Entrypoint": ["/init"]}
    cfg = translate.merge_config({"Cmd": ["a"]}, with_entry, "x" * 64)
    assert translate.command_of(cfg) == ("/init", ["a"])
    # an explicit entrypoint drops the image's Cmd; "" clears the image's entrypoint
    cfg = translate.merge_config({"Entrypoint": ["echo"]}, with_entry, "x" * 64)
    assert translate.command_of(cfg) == ("echo", [])
    cfg = translate.merge_config({"Entrypoint": [""], "Cmd": ["ls"]}, with_entry, "x" * 64)
    assert translate.command_of(cfg) == ("ls", [])
    with pytest.raises(InvalidParameter, match="No command specified"):
        translate.command_of(translate.merge_config({}, {}, "x" * 64))


def test_host_config_defaults_and_warnings() -> None:
    host, warnings = translate.host_config({"NetworkMode": "default", "Binds": ["/a:/b"]})
    assert host["NetworkMode"] == "bridge" and host["RestartPolicy"] == {"Name": "no", "MaximumRetryCount": 0}
    assert host["LogConfig"] == {"Type": "json-file", "Config": {}} and host["ShmSize"] == 67108864
    assert warnings == ["volumes (Binds) are not supported yet and were ignored"]


@pytest.mark.parametrize(("host", "message"), [
    ({"Memory": 1024}, "Minimum memory limit allowed is 6MB"),
    ({"Memory": -1}, "must not be negative"),
    ({"MemorySwap": 1 << 30}, "always set the Memory limit"),
    ({"Memory": 1 << 30, "MemorySwap": 1 << 20}, "memoryswap limit should be larger"),
    ({"NanoCpus": 10**9, "CpuQuota": 50000}, "Nano CPUs and CPU Quota"),
    ({"NanoCpus": 10**15}, "Range of CPUs is from 0.01"),
    ({"CpuQuota": 10}, "less than 1ms"),
    ({"CpuPeriod": 10}, "CPU cfs period"),
    ({"RestartPolicy": {"Name": "sometimes"}}, "unknown policy 'sometimes'"),
    ({"RestartPolicy": {"Name": "always", "MaximumRetryCount": 2}}, "only be used with 'on-failure'"),
    ({"RestartPolicy": {"Name": "on-failure", "MaximumRetryCount": -1}}, "cannot be negative"),
    ({"NetworkMode": "container:web"}, 'network mode "container:web" is not supported yet'),
    ({"PidMode": "hostish"}, "invalid --pid: hostish"),
    ({"PidMode": "container:"}, "invalid --pid: container:"),
    ({"IpcMode": "container:web"}, "IpcMode 'container:web' is not supported yet"),
    ({"UTSMode": "container:web"}, "UTSMode 'container:web' is not supported yet"),
    ({"UsernsMode": "host"}, "UsernsMode 'host' is not supported yet"),
    ({"LogConfig": {"Type": "syslog"}}, "only json-file"),
])
def test_impossible_host_configs(host: dict, message: str) -> None:
    with pytest.raises(InvalidParameter, match=message.replace("(", r"\(").replace(")", r"\)")):
        translate.host_config(host)


def test_resources() -> None:
    r = translate.resources({"Memory": 64 << 20, "NanoCpus": 500_000_000, "PidsLimit": 0, "CpuShares": 512})
    got = (r.memory_limit, r.cpu_quota, r.cpu_period, r.pids_limit, r.cpu_shares)
    assert got == (64 << 20, 50000, 100000, None, 512)
    assert translate.resources({"PidsLimit": 20, "CpuQuota": 20000}).pids_limit == 20
    assert translate.resources(translate.DEFAULT_HOST_CONFIG).is_empty()


@pytest.mark.parametrize(("given", "stored", "joined"), [
    (None, "", None), ("private", "", None), ("host", "host", None), ("container:web", "container:web", "web"),
])
def test_pid_modes(given: str | None, stored: str, joined: str | None) -> None:
    host, _ = translate.host_config({"PidMode": given})
    assert host["PidMode"] == stored
    assert translate.joined_pid_container(host) == joined


def test_pid_host_reaches_the_run_options() -> None:
    files = {"hostname": "/h", "hosts": "/hs", "resolv.conf": "/r"}
    host, _ = translate.host_config({"PidMode": "host"})
    opts = translate.run_options({"Cmd": ["true"]}, host, files, None, None)
    assert opts.host_pid and opts.pidns is None
    private, _ = translate.host_config({})
    joined = translate.run_options({"Cmd": ["true"]}, private, files, None, None, pidns="/proc/7/ns/pid")
    assert not joined.host_pid and joined.pidns == "/proc/7/ns/pid"


@pytest.mark.parametrize(("mode", "ipc", "uts"), [({}, False, False), ({"IpcMode": "host"}, True, False),
                                                ({"UTSMode": "host"}, False, True),
                                                ({"IpcMode": "shareable", "UTSMode": "private"}, False, False)])
def test_host_ipc_and_uts_reach_the_run_options(mode: dict, ipc: bool, uts: bool) -> None:
    files = {"hostname": "/h", "hosts": "/hs", "resolv.conf": "/r"}
    host, _ = translate.host_config(mode)
    opts = translate.run_options({"Cmd": ["true"]}, host, files, None, None)
    assert (opts.host_ipc, opts.host_uts) == (ipc, uts)
