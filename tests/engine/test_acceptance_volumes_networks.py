"""Issue 4's acceptance list — volumes, networks and ports — run twice against a real engine
process: once with the real docker CLI, once with ``sandbox docker`` (our grammar,
in-process). Each check is one function of a ``Docker`` runner; the table at the bottom
pairs every check with both runners.

The engine gets its own default bridge, subnets and device prefixes, so the devices it
makes can be told apart from any other engine's on this host. Traffic stays on 127.0.0.1
and on the bridges and namespaces made here.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import socket
import subprocess
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from sandbox.client import EngineClient
from sandbox.commands.docker import main

from .conftest import Daemon, Footprint, purge, remove_all_containers, short_dir, start_daemon, wait_for

DOCKER_CLI = shutil.which("docker")
pytestmark = pytest.mark.root
WAIT = 20.0


# -- the engine ------------------------------------------------------------------------------

def _host_routes() -> list[str]:
    from sandbox.network.netlink import KernelLinks

    return [r.dst for r in KernelLinks().host_routes()]


def _free_blocks(count: int) -> list[str]:
    """/24s of 10.160-199.x.0 that no host route overlaps (the pool is one of them, as a /20)."""
    import ipaddress
    import random

    taken = [ipaddress.IPv4Network(r, strict=False) for r in _host_routes()]
    out: list[ipaddress.IPv4Network] = []
    while len(out) < count:
        prefix = 20 if not out else 24
        net = ipaddress.IPv4Network(f"10.{random.randint(160, 199)}.{random.randint(0, 255)}.0/{prefix}",
                                    strict=False)
        if not any(net.overlaps(t) for t in taken + out):
            out.append(net)
    return [str(n) for n in out]


@dataclass
class Engine:
    daemon: Daemon
    tag: str
    """Every device of this engine starts with it."""
    run_dir: Path
    tmp: Path
    pool: str
    subnets: list[str]
    """Spare /24s for the tests' own user networks."""

    @property
    def bridge(self) -> str:
        return self.tag + "d0"

    def devices(self) -> list[str]:
        return sorted(n for n in os.listdir("/sys/class/net") if n.startswith(self.tag))


@pytest.fixture
def engine(tmp_path: Path, overlay_template: Path, unique: str) -> Iterator[Engine]:
    if os.geteuid() != 0:
        pytest.skip("needs root")
    tag = "sa" + unique[-5:]
    pool, default, *spare = _free_blocks(4)
    root = tmp_path / "root"
    shutil.copytree(overlay_template, root, symlinks=True)
    run = short_dir("sv-")
    dirs = [tmp_path, run]
    env = {"SANDBOX_CGROUP_PARENT": f"sandbox/{unique}", "SANDBOX_BRIDGE": tag + "d0",
           "SANDBOX_BRIDGE_SUBNET": default, "SANDBOX_NETWORK_POOL": pool,
           "SANDBOX_BRIDGE_PREFIX": tag + "b", "SANDBOX_VETH_PREFIX": tag + "v"}
    try:
        d = start_daemon(tmp_path, root, run_dir=run, storage_driver="overlay", extra_env=env)
    except BaseException:
        shutil.rmtree(run, ignore_errors=True)
        raise
    e = Engine(d, tag, run, tmp_path, pool, spare)
    try:
        yield e
    finally:
        problems = remove_all_containers(d) if d.proc.poll() is None else []
        d.stop()
        left = Footprint.take(unique, dirs)
        purge(unique, dirs)
        from sandbox.network.netlink import KernelLinks

        links = KernelLinks()
        for name in e.devices():
            links.delete_link(name)
        shutil.rmtree(run, ignore_errors=True)
        assert not problems, problems
        assert left.empty, f"left behind: {left}"


# -- the two runners ---------------------------------------------------------------------------

@dataclass
class Result:
    code: int
    out: str
    err: str


class Docker:
    """One docker command line → (exit code, stdout, stderr)."""

    name = ""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def __call__(self, *argv: str, check: bool = True, stdin: str = "") -> Result:
        result = self.run(list(argv), stdin)
        if check:
            assert result.code == 0, (f"{self.name}: docker {' '.join(argv)} failed ({result.code}):\n"
                                      f"{result.out}{result.err}\n{self.engine.daemon.log_text()[-2000:]}")
        return result

    def run(self, argv: list[str], stdin: str) -> Result:
        raise NotImplementedError


class RealCLI(Docker):
    name = "docker CLI"

    def run(self, argv: list[str], stdin: str) -> Result:
        assert DOCKER_CLI is not None
        env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
        env.update(DOCKER_HOST=self.engine.daemon.docker_host, DOCKER_CONFIG=str(self.engine.run_dir / "cfg"),
                   DOCKER_BUILDKIT="0")
        p = subprocess.run([DOCKER_CLI, *argv], input=stdin, capture_output=True, text=True, env=env, timeout=90)
        return Result(p.returncode, p.stdout, p.stderr)


class SandboxDocker(Docker):
    name = "sandbox docker"

    def run(self, argv: list[str], stdin: str) -> Result:
        out, err = io.StringIO(), io.StringIO()
        with EngineClient(str(self.engine.daemon.socket), timeout=90) as client:
            code = main(argv, client=client, stdout=out, stderr=err, stdin=io.StringIO(stdin), env={})
        return Result(code, out.getvalue(), err.getvalue())


RUNNERS: dict[str, type[Docker]] = {"cli": RealCLI, "sandbox": SandboxDocker}


# -- helpers -----------------------------------------------------------------------------------

def _interfaces(proc_net_dev: str) -> set[str]:
    return {line.split(":")[0].strip() for line in proc_net_dev.splitlines()[2:] if ":" in line}


def _get(port: int, host: str = "127.0.0.1") -> str | None:
    try:
        with urllib.request.urlopen(f"http://{host}:{port}/", timeout=2) as r:
            return r.read().decode()
    except OSError:
        return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _port_is_free(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("0.0.0.0", port))
        except OSError:
            return False
        return True


HTTPD = "mkdir -p /www && echo {text} > /www/index.html && exec httpd -f -p {port} -h /www"


def _serve(d: Docker, name: str, text: str, *flags: str, port: int = 80) -> None:
    d("run", "-d", "--name", name, *flags, "busybox", "sh", "-c", HTTPD.format(text=text, port=port))


# -- volumes -----------------------------------------------------------------------------------

def named_volume_survives_rm(d: Docker) -> None:
    assert d("volume", "create", "keep").out == "keep\n"
    d("run", "--name", "writer", "-v", "keep:/data", "busybox", "sh", "-c", "echo kept > /data/f")
    d("rm", "writer")
    assert "keep" in d("volume", "ls", "-q").out.split()
    assert d("run", "--rm", "-v", "keep:/data", "busybox", "cat", "/data/f").out == "kept\n"
    # rm -v takes anonymous volumes only, never a named one.
    d("run", "--name", "again", "-v", "keep:/data", "-v", "/anon", "busybox", "true")
    anon = [m["Name"] for m in json.loads(d("inspect", "-f", "{{json .Mounts}}", "again").out)
            if m["Destination"] == "/anon"]
    d("rm", "-v", "again")
    names = d("volume", "ls", "-q").out.split()
    assert "keep" in names and anon and anon[0] not in names


def two_containers_share_writes(d: Docker) -> None:
    for name in ("left", "right"):
        d("run", "-d", "--name", name, "-v", "shared:/s", "busybox", "sleep", "300")
    d("exec", "left", "sh", "-c", "echo from-left > /s/note")
    assert d("exec", "right", "cat", "/s/note").out == "from-left\n"  # at once: one directory, no copy
    d("exec", "right", "sh", "-c", "echo from-right >> /s/note")
    assert d("exec", "left", "cat", "/s/note").out == "from-left\nfrom-right\n"


def bind_mount_shows_host_changes(d: Docker) -> None:
    host = d.engine.tmp / f"bind-{d.name.replace(' ', '-')}"
    host.mkdir()
    d("run", "-d", "--name", "viewer", "-v", f"{host}:/mnt", "busybox", "sleep", "300")
    (host / "file").write_text("one\n")
    assert d("exec", "viewer", "cat", "/mnt/file").out == "one\n"
    (host / "file").write_text("two\n")
    assert d("exec", "viewer", "cat", "/mnt/file").out == "two\n"
    d("exec", "viewer", "sh", "-c", "echo back > /mnt/from-container")
    assert (host / "from-container").read_text() == "back\n"


def read_only_mount_refuses_writes(d: Docker) -> None:
    host = d.engine.tmp / f"ro-{d.name.replace(' ', '-')}"
    host.mkdir()
    for flags in (["-v", f"{host}:/mnt:ro"], ["--mount", f"type=bind,src={host},dst=/mnt,readonly"],
                  ["--mount", "type=volume,src=rovol,dst=/mnt,readonly"]):
        r = d("run", "--rm", *flags, "busybox", "sh", "-c", "echo x > /mnt/f", check=False)
        assert r.code != 0 and "Read-only file system" in r.out + r.err, (flags, r)
    assert not (host / "f").exists()


def volume_from_image_starts_with_its_files(d: Docker) -> None:
    d("run", "--name", "seedbase", "busybox", "sh", "-c", "mkdir /seed && echo seeded > /seed/file")
    d("commit", "--change", "VOLUME /seed", "seedbase", "seeded:1")
    d("run", "-d", "--name", "user", "seeded:1", "sleep", "300")
    mounts = json.loads(d("inspect", "-f", "{{json .Mounts}}", "user").out)
    assert [(m["Type"], m["Destination"]) for m in mounts] == [("volume", "/seed")]
    assert d("exec", "user", "cat", "/seed/file").out == "seeded\n"
    # A named volume mounted there for the first time is filled from the image too.
    d("run", "--rm", "-v", "fresh:/seed", "seeded:1", "true")
    assert d("run", "--rm", "-v", "fresh:/data", "busybox", "cat", "/data/file").out == "seeded\n"
    # --volumes-from sees the same volume.
    assert d("run", "--rm", "--volumes-from", "user", "busybox", "cat", "/seed/file").out == "seeded\n"


def system_df_counts_volumes(d: Docker) -> None:
    d("run", "--name", "filler", "-v", "filled:/data", "busybox", "sh", "-c", "head -c 5000 /dev/zero > /data/z")
    d("volume", "create", "idle")
    rows = {line.split("\t")[0]: line.split("\t")[1:]
            for line in d("system", "df", "--format", "{{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}").out.splitlines()}
    assert rows["Local Volumes"] == ["2", "1", "5kB"]
    d("rm", "filler")
    assert d("system", "df", "--format", "{{.Type}} {{.Active}} {{.Reclaimable}}").out.splitlines()[2] == \
        "Local Volumes 0 5kB (100%)"


# -- networks ----------------------------------------------------------------------------------

def names_resolve_on_one_network_only(d: Docker) -> None:
    one, two = d.engine.subnets[:2]
    d("network", "create", "--subnet", one, "near")
    d("network", "create", "--subnet", two, "far")
    _serve(d, "web", "hello", "--network", "near")
    fetch = ["busybox", "sh", "-c", "for i in 1 2 3 4 5 6 7 8 9 10; do wget -q -O- http://web/ && exit 0; "
             "sleep 0.3; done; exit 1"]
    same = d("run", "--rm", "--network", "near", *fetch, check=False)
    assert same.code == 0 and same.out == "hello\n", same
    across = d("run", "--rm", "--network", "far", "busybox", "wget", "-q", "-O-", "http://web/",
               check=False)
    assert across.code != 0 and "bad address 'web'" in across.out + across.err, across


def none_has_only_lo(d: Docker) -> None:
    out = d("run", "--rm", "--network", "none", "busybox", "cat", "/proc/net/dev").out
    assert _interfaces(out) == {"lo"}


def host_sees_the_hosts_interfaces(d: Docker) -> None:
    out = d("run", "--rm", "--network", "host", "busybox", "cat", "/proc/net/dev").out
    with open("/proc/net/route") as f:
        defaults = {line.split()[0] for line in f.read().splitlines()[1:] if line.split()[1] == "00000000"}
    seen = _interfaces(out)
    assert "lo" in seen and len(seen) > 1 and defaults <= seen


def container_mode_shares_address_and_localhost(d: Docker) -> None:
    _serve(d, "owner", "from-owner", port=8080)
    address = d("inspect", "-f", "{{.NetworkSettings.IPAddress}}", "owner").out.strip()
    assert address
    joined = d("run", "--rm", "--network", "container:owner", "busybox", "sh", "-c",
               "ip -o -4 addr show; for i in 1 2 3 4 5 6 7 8 9 10; do "
               "wget -q -O- http://127.0.0.1:8080/ && exit 0; sleep 0.3; done; exit 1")
    assert f"inet {address}/" in joined.out and joined.out.endswith("from-owner\n")


# -- ports -------------------------------------------------------------------------------------

def _published(d: Docker, port_spec: str, host_port: int) -> None:
    _serve(d, "pub", "published", "-p", port_spec)
    wait_for(lambda: _get(host_port) == "published\n", WAIT, f"the page on 127.0.0.1:{host_port}")
    assert d("port", "pub", "80").out.splitlines()[0].endswith(f":{host_port}")
    d("rm", "-f", "pub")
    wait_for(lambda: _port_is_free(host_port), WAIT, f"port {host_port} to be free after rm")
    assert _get(host_port) is None


def publish_literal_18080(d: Docker) -> None:
    if not _port_is_free(18080):
        pytest.skip("something else on this host listens on 18080")
    _published(d, "18080:80", 18080)


def publish_a_free_port(d: Docker) -> None:
    port = _free_port()
    _published(d, f"127.0.0.1:{port}:80/tcp", port)


def port_in_use_is_a_clear_error(d: Docker) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        r = d("run", "-d", "--name", "clash", "-p", f"{port}:80", "busybox", "sleep", "300", check=False)
        assert r.code != 0, r
        # dockerd says "port is already allocated" or "address already in use", by who holds it.
        assert f"{port}" in r.err and ("already allocated" in r.err or "already in use" in r.err), r.err
    assert "true" not in d("inspect", "-f", "{{.State.Running}}", "clash", check=False).out


# -- nothing left behind -----------------------------------------------------------------------

def twenty_containers_leave_nothing(d: Docker) -> None:
    e = d.engine
    before_netns = sorted(os.listdir("/run/netns")) if os.path.isdir("/run/netns") else []
    d("network", "create", "--subnet", e.subnets[0], "many")
    ports = [_free_port() for _ in range(4)]
    names = []
    for i in range(20):
        flags = ["--network", "many"] if i % 2 else []
        if i < len(ports):
            flags += ["-p", f"127.0.0.1:{ports[i]}:80"]
        if i % 5 == 0:
            flags += ["-v", f"/anon{i}"]
        names.append(f"box{i}")
        d("run", "-d", "--name", f"box{i}", *flags, "busybox", "sleep", "300")
    veths = [n for n in e.devices() if n.startswith(e.tag + "v")]
    assert len(veths) == 20, e.devices()
    d("rm", "-f", "-v", *names)
    d("network", "rm", "many")
    # A dead container's veth is deleted in the background (the kernel takes ~20 ms a device);
    # the default bridge stays, like docker0.
    wait_for(lambda: e.devices() in ([], [e.bridge]), WAIT, f"the veths to go, still: {e.devices()}")
    assert all(_port_is_free(p) for p in ports)
    assert (sorted(os.listdir("/run/netns")) if os.path.isdir("/run/netns") else []) == before_netns
    assert d("ps", "-aq").out == "" and d("volume", "ls", "-q").out == ""
    nft = shutil.which("nft")
    if nft:
        tables = subprocess.run([nft, "list", "tables"], capture_output=True, text=True).stdout
        assert e.tag not in tables


# -- bad input ---------------------------------------------------------------------------------

def bad_input_gets_clear_errors(d: Docker) -> None:
    one = d.engine.subnets[0]
    d("network", "create", "--subnet", one, "first")
    cases: list[tuple[tuple[str, ...], Callable[[str], bool]]] = [
        (("network", "create", "--subnet", one, "second"), lambda m: "overlap" in m),
        (("network", "create", "--subnet", "10.1.2.0/33", "badcidr"), lambda m: "10.1.2.0/33" in m),
        (("network", "create", "--subnet", "not-a-cidr", "badcidr"), lambda m: "not-a-cidr" in m),
        # --pull never: the CLI takes any 404 of a create for a missing image and would pull.
        (("run", "--rm", "--pull", "never", "--network", "nosuchnet", "busybox", "true"), lambda m: "nosuchnet" in m and "not found" in m),
        (("network", "connect", "nosuchnet", "hosty"), lambda m: "nosuchnet" in m),
        (("network", "connect", "first", "hosty"), lambda m: "host" in m),
        (("volume", "create", "a/b"), lambda m: "a/b" in m and "invalid" in m),
        (("volume", "rm", "busy"), lambda m: "busy" in m and "in use" in m),
    ]
    d("run", "-d", "--name", "hosty", "--network", "host", "busybox", "sleep", "300")
    d("run", "-d", "--name", "holder", "-v", "busy:/b", "busybox", "sleep", "300")
    for argv, good in cases:
        r = d(*argv, check=False)
        assert r.code != 0 and r.err.startswith(("Error response from daemon: ", "docker: Error response from daemon: ")), (argv, r)
        assert good(r.err), (argv, r.err)
    assert "first" in d("network", "ls", "--format", "{{.Name}}").out.split()
    assert "second" not in d("network", "ls", "--format", "{{.Name}}").out.split()


CHECKS: list[Callable[[Docker], None]] = [
    named_volume_survives_rm, two_containers_share_writes, bind_mount_shows_host_changes,
    read_only_mount_refuses_writes, volume_from_image_starts_with_its_files, system_df_counts_volumes,
    names_resolve_on_one_network_only, none_has_only_lo, host_sees_the_hosts_interfaces,
    container_mode_shares_address_and_localhost, publish_literal_18080, publish_a_free_port,
    port_in_use_is_a_clear_error, twenty_containers_leave_nothing, bad_input_gets_clear_errors,
]


@pytest.mark.parametrize("runner", sorted(RUNNERS))
@pytest.mark.parametrize("check", CHECKS, ids=[c.__name__ for c in CHECKS])
def test_acceptance(engine: Engine, runner: str, check: Callable[[Docker], None]) -> None:
    if runner == "cli" and DOCKER_CLI is None:
        pytest.skip("the docker CLI is not installed")
    check(RUNNERS[runner](engine))
