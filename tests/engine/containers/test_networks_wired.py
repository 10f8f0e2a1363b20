"""Networks in real containers: bridge and user networks with names, none, host,
container:X, published ports, connect/disconnect, restarts, and nothing left behind.
Traffic goes only to 127.0.0.1 and to the bridges and namespaces these tests make."""

from __future__ import annotations

import os
import socket
import urllib.request
from collections.abc import Iterator

import pytest

from sandbox.errors import (
    NetworkJoinFailed,
    NetworkModeConflict,
    NetworkNotFound,
    PortAllocated,
    SandboxError,
)

from .conftest import Harness, eventually
from .wired import WAIT, Wired, free_port, wired_service

pytestmark = pytest.mark.root


@pytest.fixture
def w(h: Harness) -> Iterator[Wired]:
    yield from wired_service(h)

SLEEP = ["sleep", "300"]


def _interfaces(out: str) -> set[str]:
    """Interface names from /proc/net/dev."""
    return {line.split(":")[0].strip() for line in out.splitlines()[2:] if ":" in line}


def _get(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as r:
        return r.read().decode()


def _serving(port: int) -> str | None:
    try:
        return _get(port)
    except OSError:
        return None


def test_bridge_container_has_an_address_and_a_hosts_file(w: Wired, unique: str) -> None:
    cid = w.run(SLEEP, f"{unique}-b")
    info = w.svc.inspect(cid)
    ns = info["NetworkSettings"]
    ep = ns["Networks"]["bridge"]
    assert ep["IPAddress"] and ep["IPAddress"] == ns["IPAddress"] and ep["Gateway"] == ns["Gateway"]
    assert ep["NetworkID"] == w.net.network("bridge").id and ep["MacAddress"] and ep["IPPrefixLen"] == 24
    assert ns["SandboxKey"] == f"/proc/{info['State']['Pid']}/ns/net"
    with open(info["HostsPath"]) as f:
        assert f"{ep['IPAddress']}\t{cid[:12]}" in f.read()
    assert w.svc.list()[0]["NetworkSettings"]["Networks"]["bridge"]["IPAddress"] == ep["IPAddress"]


def test_user_network_resolves_names_and_not_across_networks(w: Wired, unique: str) -> None:
    w.net.create(f"{unique}-n1", subnet=w.subnets[0])
    w.net.create(f"{unique}-n2", subnet=w.subnets[1])
    target = w.run(SLEEP, f"{unique}-a", HostConfig={"NetworkMode": f"{unique}-n1"},
                   NetworkingConfig={"EndpointsConfig": {f"{unique}-n1": {"Aliases": ["db"]}}})
    same = w.run(["sh", "-c", f"ping -c1 -W2 {unique}-a && ping -c1 -W2 db"], HostConfig={"NetworkMode": f"{unique}-n1"})
    assert w.finish(same)[0] == 0, w.output(same)
    other = w.run(["ping", "-c1", "-W2", f"{unique}-a"], HostConfig={"NetworkMode": f"{unique}-n2"})
    code, out = w.finish(other)
    assert code != 0 and "bad address" in out
    ep = w.svc.inspect(target)["NetworkSettings"]["Networks"][f"{unique}-n1"]
    assert ep["Aliases"] == ["db"] and f"{unique}-a" in ep["DNSNames"]
    assert ep["IPAddress"].startswith(w.subnets[0].rsplit(".", 1)[0] + ".")


def test_none_has_only_lo(w: Wired) -> None:
    cid = w.run(["cat", "/proc/net/dev"], HostConfig={"NetworkMode": "none"})
    code, out = w.finish(cid)
    assert code == 0 and _interfaces(out) == {"lo"}
    assert list(w.svc.inspect(cid)["NetworkSettings"]["Networks"]) == ["none"]


def test_host_sees_the_hosts_interfaces(w: Wired) -> None:
    cid = w.run(["cat", "/proc/net/dev"], HostConfig={"NetworkMode": "host"})
    code, out = w.finish(cid)
    host = set(os.listdir("/sys/class/net"))
    assert code == 0 and _interfaces(out) - {"lo"} and _interfaces(out) <= host | _interfaces(out)
    assert (_interfaces(out) - {"lo"}) & host - {w.net.options.default_bridge}
    assert w.svc.inspect(cid)["Config"]["Hostname"] == socket.gethostname()


def test_container_mode_shares_address_and_localhost(w: Wired, unique: str) -> None:
    x = w.run(["sh", "-c", ("mkdir /www && echo from-x > /www/index.html && echo up && "
                           "exec httpd -f -p 127.0.0.1:8080 -h /www")], f"{unique}-x")
    w.wait_output(x, "up")
    ip = w.svc.inspect(x)["NetworkSettings"]["IPAddress"]
    y = w.run(["sh", "-c", ("ip -o -4 addr show; for i in 1 2 3 4 5 6 7 8 9 10; do "
                           "wget -qO- http://127.0.0.1:8080/ && exit 0; sleep 0.2; done; exit 1")],
              HostConfig={"NetworkMode": f"container:{unique}-x"})
    code, out = w.finish(y)
    assert code == 0 and f"inet {ip}/" in out and "from-x" in out
    assert w.svc.inspect(y)["NetworkSettings"]["Networks"] == {}


def test_container_mode_needs_a_running_container(w: Wired, unique: str) -> None:
    w.svc.create({"Image": "busybox", "Cmd": ["true"]}, f"{unique}-idle")
    cid = w.svc.create({"Image": "busybox", "Cmd": ["true"],
                        "HostConfig": {"NetworkMode": f"container:{unique}-idle"}})["Id"]
    with pytest.raises(NetworkJoinFailed, match="non running container"):
        w.svc.start(cid)
    assert not w.svc.inspect(cid)["State"]["Running"]


def test_published_port_serves_on_loopback_and_is_freed_on_rm(w: Wired) -> None:
    port = free_port()
    cid = w.run(["sh", "-c", "mkdir /www && echo page > /www/index.html && exec httpd -f -p 80 -h /www"],
                ExposedPorts={"80/tcp": {}}, HostConfig={"PortBindings": {"80/tcp": [{"HostPort": str(port)}]}})
    assert eventually(lambda: _serving(port), WAIT, "the page") == "page\n"
    info = w.svc.inspect(cid)
    assert info["NetworkSettings"]["Ports"] == {"80/tcp": [{"HostIp": "0.0.0.0", "HostPort": str(port)}]}
    assert info["HostConfig"]["PortBindings"] == {"80/tcp": [{"HostPort": str(port)}]}
    assert w.svc.list()[0]["Ports"] == [{"IP": "0.0.0.0", "PrivatePort": 80, "PublicPort": port, "Type": "tcp"}]
    w.svc.remove(cid, force=True)
    assert w.net.port_bindings() == []
    with socket.socket() as s:
        # SO_REUSEADDR: the page's connection may linger in TIME_WAIT; only a listener
        # (the proxy, had it stayed) makes this bind fail.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", port))
        s.listen()


def test_publish_all_picks_free_ports(w: Wired) -> None:
    cid = w.run(SLEEP, ExposedPorts={"80/tcp": {}, "53/udp": {}}, HostConfig={"PublishAllPorts": True})
    ports = w.svc.inspect(cid)["NetworkSettings"]["Ports"]
    assert set(ports) == {"80/tcp", "53/udp"}
    assert all(int(b[0]["HostPort"]) > 0 for b in ports.values())


def test_port_in_use_is_a_clear_error_and_nothing_is_half_started(w: Wired) -> None:
    port = free_port()
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", port))
        holder.listen()
        cid = w.svc.create({"Image": "busybox", "Cmd": SLEEP, "HostConfig": {
            "PortBindings": {"80/tcp": [{"HostIp": "127.0.0.1", "HostPort": str(port)}]}}})["Id"]
        with pytest.raises(SandboxError, match=f"127.0.0.1:{port}.*(already allocated|in use)"):
            w.svc.start(cid)
    assert not w.svc.inspect(cid)["State"]["Running"]
    assert w.net.endpoints(cid) == [] and w.net.port_bindings(cid) == []
    assert w.svc.eng.runtime.list() == []


def test_same_port_twice_names_the_holder(w: Wired) -> None:
    port = free_port()
    host = {"PortBindings": {"80/tcp": [{"HostPort": str(port)}]}}
    first = w.run(SLEEP, HostConfig=host)
    second = w.svc.create({"Image": "busybox", "Cmd": SLEEP, "HostConfig": host})["Id"]
    with pytest.raises(PortAllocated, match="port is already allocated") as e:
        w.svc.start(second)
    assert e.value.holder == first[:12]


def test_connect_and_disconnect_a_running_container(w: Wired, unique: str) -> None:
    w.net.create(f"{unique}-late", subnet=w.subnets[0])
    a = w.run(SLEEP, f"{unique}-p", HostConfig={"NetworkMode": f"{unique}-late"})
    b = w.run(SLEEP, f"{unique}-q")
    w.svc.connect_network(b, f"{unique}-late", {"Aliases": ["qq"]})
    nets = w.svc.inspect(b)["NetworkSettings"]["Networks"]
    assert set(nets) == {"bridge", f"{unique}-late"} and nets[f"{unique}-late"]["IPAddress"]
    ex = w.svc.exec_create(a, {"Cmd": ["ping", "-c1", "-W2", "qq"]})["Id"]
    w.svc.exec_start(ex, detach=True)
    assert eventually(lambda: not w.svc.exec_inspect(ex)["Running"] and w.svc.exec_inspect(ex), WAIT,
                      "the exec")["ExitCode"] == 0
    w.svc.disconnect_network(b, f"{unique}-late")
    assert set(w.svc.inspect(b)["NetworkSettings"]["Networks"]) == {"bridge"}
    assert [e.network_name for e in w.net.endpoints(b)] == ["bridge"]


def test_connect_refuses_host_mode_and_unknown_networks(w: Wired, unique: str) -> None:
    w.net.create(f"{unique}-x", subnet=w.subnets[0])
    cid = w.run(SLEEP, HostConfig={"NetworkMode": "host"})
    with pytest.raises(NetworkModeConflict, match="cannot be disconnected from host network or connected to host"):
        w.svc.connect_network(cid, f"{unique}-x")
    with pytest.raises(NetworkNotFound):
        w.svc.connect_network(cid, f"{unique}-nosuch")
    with pytest.raises(NetworkNotFound):
        w.svc.create({"Image": "busybox", "Cmd": ["true"], "HostConfig": {"NetworkMode": f"{unique}-nosuch"}})


def test_stop_releases_the_address_and_start_takes_one_again(w: Wired) -> None:
    cid = w.run(SLEEP, HostConfig={"PortBindings": {"80/tcp": [{"HostPort": str(free_port())}]}})
    w.svc.stop(cid, t=0)
    assert w.net.endpoints(cid) == [] and w.net.port_bindings(cid) == []
    assert w.svc.inspect(cid)["NetworkSettings"]["Networks"]["bridge"]["IPAddress"] == ""
    w.svc.start(cid)
    assert len(w.net.endpoints(cid)) == 1 and len(w.net.port_bindings(cid)) == 1
    w.svc.restart(cid, t=0)
    assert len(w.net.endpoints(cid)) == 1 and len(w.net.port_bindings(cid)) == 1


def test_engine_restart_publishes_the_ports_again(w: Wired) -> None:
    from .wired import make_service

    port = free_port()
    cid = w.run(["sh", "-c", "mkdir /www && echo again > /www/index.html && exec httpd -f -p 80 -h /www"],
                HostConfig={"PortBindings": {"80/tcp": [{"HostIp": "127.0.0.1", "HostPort": str(port)}]}})
    assert eventually(lambda: _serving(port), WAIT, "the page") == "again\n"
    old = w.svc
    old.close()
    old.eng.networks.close()
    assert _serving(port) is None
    opts = old.eng.networks.options
    svc = make_service(w.h, w.tag, opts.default_subnet, opts.pool)
    assert svc.restore() == []
    assert eventually(lambda: _serving(port), WAIT, "the page after the restart") == "again\n"
    assert svc.inspect(cid)["State"]["Running"]


def test_twenty_containers_leave_nothing_behind(w: Wired) -> None:
    from sandbox.linux import proc

    mounts_before = len(proc.mounts_under(str(w.h.settings.root)))
    for _ in range(20):
        cid = w.run(["true"], HostConfig={"PortBindings": {"80/tcp": [{"HostPort": "0"}]}})
        w.svc.wait(cid, timeout=WAIT)
        w.svc.remove(cid, force=True, volumes=True)
    veths = [d for d in w.our_devices() if d.startswith(w.net.options.veth_prefix)]
    assert veths == [] and w.net.leaks() == []
    assert w.net.network("bridge").allocated == {} and w.net.port_bindings() == []
    assert w.svc.eng.runtime.list() == []
    assert len(proc.mounts_under(str(w.h.settings.root))) == mounts_before
    assert not list((w.h.settings.root / "network").glob("containers/*"))


def test_the_clis_default_endpoint_means_the_bridge(w: Wired) -> None:
    """`docker run` without --network sends NetworkMode and an endpoint named "default"."""
    cid = w.svc.create({"Image": "busybox", "Cmd": SLEEP, "HostConfig": {"NetworkMode": "default"},
                        "NetworkingConfig": {"EndpointsConfig": {"default": {}}}})["Id"]
    w.svc.start(cid)
    assert list(w.svc.inspect(cid)["NetworkSettings"]["Networks"]) == ["bridge"]
    assert [e.network_name for e in w.net.endpoints(cid)] == ["bridge"]
