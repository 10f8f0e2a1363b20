"""`docker run --rm --network none busybox true`: our engine vs dockerd vs podman, in one run.

    sudo .venv/bin/python bench/engine_run.py [-n 30]

Prints medians and ratios for:
  the real docker CLI against our engine · the same CLI against a real dockerd (Debian's
  docker.io, started here on its own socket and directories) · `podman run --rm --network
  none` · create + attach + start + wait through the API from a warm client (both engines)
  · idle RSS of our engine (with its fork server) vs dockerd + containerd · `runc run` of
  /bin/true alone, for how fast this machine makes a container at all.
A peer that is not installed is skipped. Everything made here is removed at the end:
daemons stopped, mounts undone, directories and the cgroups they made deleted.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _bundle import busybox_rootfs, runc_bundle

DOCKER = shutil.which("docker")
CGROUP_ROOT = Path("/sys/fs/cgroup")


# -- small helpers ----------------------------------------------------------------------------


def _wait_until(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise RuntimeError(f"timed out waiting for {what}")


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry.name))
    return out


def _engine_rss_kib(pid: int) -> int:
    """Our engine and its children: the fork server of its shims and the cgroup warm-up
    anchor, which live as long as it does. The shims, one per container, are the fork
    server's children and are left out, as containerd-shim is for dockerd."""
    return _rss_kib(pid) + sum(_rss_kib(child) for child in _children(pid))


def _stop(proc: subprocess.Popen[bytes], timeout: float = 20) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _umount_under(path: Path) -> None:
    prefix = str(path)
    with open("/proc/self/mountinfo") as f:
        points = [line.split()[4] for line in f]
    for point in sorted((p for p in points if p == prefix or p.startswith(prefix + "/")), key=len, reverse=True):
        subprocess.run(["umount", "-l", point], check=False, capture_output=True)


def _remove_cgroups(name: str, existed: set[Path]) -> None:
    """Remove the (empty) cgroup directories named ``name`` that were not there before."""
    for d in CGROUP_ROOT.glob(f"*/{name}"):
        if d in existed or not d.is_dir():
            continue
        for child in sorted((c for c in d.rglob("*") if c.is_dir()), key=lambda p: -len(str(p))) + [d]:
            try:
                child.rmdir()
            except OSError as e:
                print(f"note: cannot remove {child}: {e.strerror}", file=sys.stderr)


class UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: str) -> None:
        super().__init__("localhost", timeout=60)
        self.unix_path = path

    def connect(self) -> None:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(self.timeout)
        s.connect(self.unix_path)
        self.sock = s


# -- the engines ------------------------------------------------------------------------------


@dataclass
class Peer:
    name: str
    run: Callable[[], None]
    api_run: Callable[[], None] | None = None
    rss_kib: Callable[[], int] | None = None
    stop: Callable[[], None] = lambda: None
    samples: list[float] = field(default_factory=list)
    api_samples: list[float] = field(default_factory=list)


def _docker_env(host: str, config: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
    env.update(DOCKER_HOST=host, DOCKER_CONFIG=str(config))
    return env


def _cli_run(env: dict[str, str]) -> Callable[[], None]:
    assert DOCKER is not None

    def run() -> None:
        subprocess.run([DOCKER, "run", "--rm", "--network", "none", "busybox", "true"], env=env, check=True,
                       stdout=subprocess.DEVNULL)

    return run


def _api_run(sock: str, version: str, network: str = "none") -> Callable[[], None]:
    """create + attach + start + wait as `docker run --rm` sends them, from a warm client:
    one keep-alive connection for the plain calls, one each for attach and wait."""
    conn = UnixConnection(sock)
    body = json.dumps({"Image": "busybox", "Cmd": ["true"], "AttachStdout": True, "AttachStderr": True,
                       "HostConfig": {"AutoRemove": True, "NetworkMode": network}})

    def run() -> None:
        conn.request("POST", f"/v{version}/containers/create", body, {"Content-Type": "application/json"})
        resp = conn.getresponse()
        created = json.loads(resp.read())
        if resp.status != 201:
            raise RuntimeError(f"create: {resp.status} {created}")
        cid = created["Id"]
        attach = socket.socket(socket.AF_UNIX)
        attach.connect(sock)
        attach.sendall(f"POST /v{version}/containers/{cid}/attach?stream=1&stdout=1&stderr=1 HTTP/1.1\r\n"
                       "Host: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 0\r\n\r\n".encode())
        head = b""
        while b"\r\n\r\n" not in head:
            head += attach.recv(4096)
        wait = UnixConnection(sock)
        wait.request("POST", f"/v{version}/containers/{cid}/wait?condition=removed")
        wait_resp = wait.getresponse()  # headers first: only then may start go out
        conn.request("POST", f"/v{version}/containers/{cid}/start")
        started = conn.getresponse()
        started.read()
        if started.status != 204:
            raise RuntimeError(f"start: {started.status}")
        while attach.recv(65536):
            pass
        attach.close()
        result = json.loads(wait_resp.read())
        wait.close()
        if result.get("StatusCode") != 0:
            raise RuntimeError(f"wait: {result}")

    return run


def start_ours(work: Path) -> Peer:
    from sandbox.images.bootstrap import bootstrap_busybox
    from sandbox.storage import Store

    root, run = work / "ours", work / "r"
    bootstrap_busybox(Store(root, "overlay"))
    parent = f"sandbox/bench{os.getpid()}"
    env = {**os.environ, "SANDBOX_ROOT": str(root), "SANDBOX_RUN": str(run), "SANDBOX_CGROUP_PARENT": parent}
    sock = run / "e.sock"
    log = open(work / "ours.log", "wb")  # noqa: SIM115 - the daemon writes to it for its whole life
    proc = subprocess.Popen([sys.executable, "-m", "sandbox.engine.daemon", "engine", "--socket", str(sock),
                             "--group", "root", "--log-level", "warning"], env=env, stdout=log, stderr=log,
                            stdin=subprocess.DEVNULL)
    _wait_until(lambda: sock.exists() or proc.poll() is not None, 30, "our engine's socket")
    if proc.poll() is not None:
        raise RuntimeError(f"our engine exited: {(work / 'ours.log').read_text()}")

    def stop() -> None:
        _stop(proc)
        log.close()
        _umount_under(root)
        _remove_cgroups(parent, set())

    cli_env = _docker_env(f"unix://{sock}", work / "cfg-ours")
    return Peer("sandbox engine", _cli_run(cli_env), _api_run(str(sock), "1.47"), lambda: _engine_rss_kib(proc.pid), stop)


def start_dockerd(work: Path, rootfs_tar: Path) -> Peer | None:
    dockerd = shutil.which("dockerd")
    if dockerd is None or DOCKER is None:
        print("skipping dockerd: not installed (apt-get install -y docker.io)", file=sys.stderr)
        return None
    d = work / "d"
    d.mkdir()
    sock = d / "d.sock"
    shared = [Path("/etc/docker/key.json"), Path("/run/containerd"), Path("/run/docker")]
    existed = {p for p in shared if p.exists()}
    cgroups_before = set(CGROUP_ROOT.glob("*/docker"))
    log = open(work / "dockerd.log", "wb")  # noqa: SIM115 - the daemon writes to it for its whole life
    proc = subprocess.Popen([dockerd, "--data-root", str(d / "root"), "--exec-root", str(d / "exec"),
                             "--pidfile", str(d / "d.pid"), "-H", f"unix://{sock}", "--bridge=none",
                             "--iptables=false", "--ip-masq=false", "--userland-proxy=false"],
                            stdout=log, stderr=log, stdin=subprocess.DEVNULL)
    env = _docker_env(f"unix://{sock}", work / "cfg-d")

    def ready() -> bool:
        if proc.poll() is not None:
            raise RuntimeError(f"dockerd exited: {(work / 'dockerd.log').read_text()[-2000:]}")
        return sock.exists() and subprocess.run([DOCKER, "version"], env=env, capture_output=True,
                                                check=False).returncode == 0

    def stop() -> None:
        containerd = _children(proc.pid)
        _stop(proc)
        for pid in containerd:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        log.close()
        _umount_under(d)
        if not any(p.name == "dockerd" for p in map(_comm, _pids())):
            # Only when no other dockerd runs may the shared places it made go.
            for p in shared:
                if p not in existed and p.exists():
                    if p.is_dir():
                        shutil.rmtree(p, ignore_errors=True)
                    else:
                        p.unlink()
            _remove_cgroups("docker", cgroups_before)

    try:
        _wait_until(ready, 60, "dockerd")
        subprocess.run([DOCKER, "import", str(rootfs_tar), "busybox:latest"], env=env, check=True,
                       capture_output=True)
    except (RuntimeError, subprocess.CalledProcessError):
        stop()
        raise

    def rss() -> int:
        return _rss_kib(proc.pid) + sum(_rss_kib(p) for p in _children(proc.pid))

    return Peer("dockerd 20.10", _cli_run(env), _api_run(str(sock), "1.41"), rss, stop)


def _pids() -> list[int]:
    return [int(e.name) for e in Path("/proc").iterdir() if e.name.isdigit()]


@dataclass
class _Comm:
    name: str


def _comm(pid: int) -> _Comm:
    try:
        return _Comm(Path(f"/proc/{pid}/comm").read_text().strip())
    except OSError:
        return _Comm("")


def start_podman(work: Path, rootfs_tar: Path) -> Peer | None:
    podman = shutil.which("podman")
    if podman is None:
        print("skipping podman: not installed (apt-get install -y podman)", file=sys.stderr)
        return None
    p = work / "p"
    p.mkdir()
    (p / "containers.conf").write_text(
        '[engine]\nruntime = "runc"\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\n'
        '[containers]\ndefault_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]\n')
    (p / "storage.conf").write_text(
        f'[storage]\ndriver = "overlay"\ngraphroot = "{p / "graph"}"\nrunroot = "{p / "run"}"\n')
    env = {**os.environ, "CONTAINERS_CONF": str(p / "containers.conf"),
           "CONTAINERS_STORAGE_CONF": str(p / "storage.conf")}
    cgroups_before = set(CGROUP_ROOT.glob("*/libpod_parent"))
    subprocess.run([podman, "import", str(rootfs_tar), "localhost/busybox:latest"], env=env, check=True,
                   capture_output=True)

    def run() -> None:
        subprocess.run([podman, "run", "--rm", "--network", "none", "localhost/busybox", "true"], env=env,
                       check=True, stdout=subprocess.DEVNULL)

    def stop() -> None:
        subprocess.run([podman, "rm", "-af"], env=env, check=False, capture_output=True)
        _umount_under(p)
        _remove_cgroups("libpod_parent", cgroups_before)

    return Peer("podman 4.3", run, None, None, stop)


# -- the run ----------------------------------------------------------------------------------


def _timed(fn: Callable[[], None]) -> float:
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


def runc_reference(work: Path) -> Callable[[], None] | None:
    """`runc run` of /bin/true in a busybox bundle: no engine, no image, no log, only the
    runtime. Not a peer of the engines: it tells how fast this machine makes a container,
    which the absolute API target depends on."""
    if not shutil.which("runc"):
        return None
    bundle = runc_bundle(work / "runc-bundle", ["/bin/true"])
    root = work / "runc-root"

    def run() -> None:
        subprocess.run(["runc", "--root", str(root), "run", "--bundle", str(bundle), f"bench{os.getpid()}"],
                       check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)

    return run


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-n", type=int, default=30, help="runs per engine (default 30)")
    args = ap.parse_args()
    if os.geteuid() != 0:
        print("bench/engine_run.py needs root", file=sys.stderr)
        return 2
    if DOCKER is None:
        print("the docker CLI is not installed", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="be-", dir="/tmp"))
    peers: list[Peer] = []
    try:
        rootfs = busybox_rootfs(work / "rootfs")
        rootfs_tar = work / "rootfs.tar"
        with tarfile.open(rootfs_tar, "w") as tar:
            tar.add(rootfs, arcname=".")
        ours = start_ours(work)
        peers.append(ours)
        for start in (start_dockerd, start_podman):
            peer = start(work, rootfs_tar)
            if peer is not None:
                peers.append(peer)
        runc = runc_reference(work)
        runc_samples: list[float] = []
        idle = {p.name: p.rss_kib() for p in peers if p.rss_kib is not None}
        for p in peers:  # warm caches and first-use work
            p.run()
            if p.api_run is not None:
                p.api_run()
        if runc is not None:
            runc()
        # Interleaved, so that background load hits every engine alike.
        for _ in range(args.n):
            for p in peers:
                p.samples.append(_timed(p.run))
                if p.api_run is not None:
                    p.api_samples.append(_timed(p.api_run))
            if runc is not None:
                runc_samples.append(_timed(runc))
        after = {p.name: p.rss_kib() for p in peers if p.rss_kib is not None}
        report(peers, idle, after, args.n)
        if runc_samples:
            runc_ms = statistics.median(runc_samples)
            api_ms = statistics.median(ours.api_samples)
            print()
            print(f"{'runc run /bin/true (the runtime alone)':<44} {runc_ms:>10.1f}")
            print(f"{'API run -> sandbox engine / runc run':<44} {api_ms / runc_ms:>9.2f}x")
    finally:
        for p in reversed(peers):
            p.stop()
        _umount_under(work)
        shutil.rmtree(work, ignore_errors=True)
    return 0


def report(peers: list[Peer], idle: dict[str, int], after: dict[str, int], n: int) -> None:
    med = {p.name: statistics.median(p.samples) for p in peers}
    ours = peers[0].name
    dockerd = next((p.name for p in peers if p.name.startswith("dockerd")), None)
    podman = next((p.name for p in peers if p.name.startswith("podman")), None)
    print(f"docker run --rm --network none busybox true, n={n}, medians")
    print(f"{'what':<44} {'median ms':>10} {'vs dockerd':>11} {'vs podman':>10}  target")
    for p in peers:
        vs_d = f"{med[p.name] / med[dockerd]:.2f}x" if dockerd else "-"
        vs_p = f"{med[p.name] / med[podman]:.2f}x" if podman else "-"
        target = "<= 0.3x dockerd, <= 0.5x podman" if p.name == ours else ""
        what = f"{'docker CLI ->' if p.name != podman else 'podman run'} {p.name}"
        print(f"{what:<44} {med[p.name]:>10.1f} {vs_d:>11} {vs_p:>10}  {target}")
    for p in peers:
        if p.api_samples:
            ms = statistics.median(p.api_samples)
            target = "<= 20 ms" if p.name == ours else ""
            print(f"{'API create+attach+start+wait -> ' + p.name:<44} {ms:>10.1f} {'':>11} {'':>10}  {target}")
    print()
    print(f"{'idle RSS':<44} {'MiB':>10} {'after runs':>11}")
    for name, kib in idle.items():
        label = name + (" (+ containerd)" if name == dockerd else " (+ fork server)" if name == ours else "")
        print(f"{label:<44} {kib / 1024:>10.1f} {after.get(name, 0) / 1024:>11.1f}")
    if dockerd in idle:
        print(f"{'ours / (dockerd + containerd)':<44} {idle[ours] / idle[dockerd]:>9.2f}x  target <= 0.5x")


if __name__ == "__main__":
    raise SystemExit(main())
