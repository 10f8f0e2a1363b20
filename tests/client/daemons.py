"""Real Docker-API daemons for integration tests: the engine under test is a parameter.

``DAEMONS_UNDER_TEST`` names the daemons every test here runs against: Debian's dockerd
today. Our own engine has a starter too; ``SANDBOX_TEST_DAEMONS=dockerd,sandbox`` runs
the same tables against both, and adding "sandbox" to the default makes it permanent.

dockerd is started as the peers doc describes (its own data and exec roots, no bridge,
no iptables), gets an offline busybox image imported from busybox-static, and is stopped
with SIGTERM. Teardown removes what dockerd leaves behind outside its directories
(/run/docker, /run/containerd, its ``docker`` cgroups, /etc/docker/key.json) — but only
when no other dockerd is running, since those paths are shared with it.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

DOCKER_CLI = "/usr/local/bin/docker" if os.path.exists("/usr/local/bin/docker") else (shutil.which("docker") or "")


@dataclass
class Daemon:
    name: str
    socket: Path
    stop: Callable[[], None] = field(repr=False)
    cli_env: dict[str, str] = field(default_factory=dict)

    @property
    def host(self) -> str:
        return f"unix://{self.socket}"

    def cli(self, *argv: str, stdin: str = "", check: bool = False,
            timeout: float = 120) -> subprocess.CompletedProcess[str]:
        """The real docker CLI against this daemon."""
        # Binary output (export, cp to -) is compared as text with replacement characters.
        result = subprocess.run([DOCKER_CLI, *argv], input=stdin, capture_output=True, encoding="utf-8",
                                errors="replace", env=self.cli_env, timeout=timeout)
        if check and result.returncode != 0:
            raise AssertionError(f"docker {' '.join(argv)} failed ({result.returncode}): {result.stderr}")
        return result


def wait_for(predicate: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    """Poll until ``predicate`` holds; fail with ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie child still answers kill(0); it is gone for our purposes.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def _other_dockerd(ours: int) -> bool:
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == ours:
            continue
        try:
            if (entry / "comm").read_text().strip() == "dockerd":
                return True
        except OSError:
            continue
    return False


def _unmount_below(root: Path) -> None:
    """Mounts dockerd may have left under its root (overlay, shm), deepest first."""
    mounts = [line.split()[1] for line in Path("/proc/self/mounts").read_text().splitlines()]
    for target in sorted((m for m in mounts if m.startswith(str(root) + "/")), key=len, reverse=True):
        subprocess.run(["umount", "-l", target], capture_output=True)


def _remove_docker_cgroups() -> None:
    for controller in Path("/sys/fs/cgroup").iterdir():
        top = controller / "docker"
        if not top.is_dir():
            continue
        for child in sorted((p for p in top.rglob("*") if p.is_dir()), key=lambda p: len(str(p)), reverse=True):
            try:
                child.rmdir()
            except OSError:
                pass
        try:
            top.rmdir()
        except OSError:
            pass


def busybox_tar(directory: Path) -> Path:
    from bench._bundle import busybox_rootfs

    rootfs = busybox_rootfs(directory / "rootfs")
    tar = directory / "rootfs.tar"
    subprocess.run(["tar", "-C", str(rootfs), "-cf", str(tar), "."], check=True)
    return tar


def start_dockerd() -> Daemon:
    if os.geteuid() != 0:
        pytest.skip("dockerd needs root")
    if shutil.which("dockerd") is None:
        pytest.skip("dockerd is not installed (apt-get install docker.io)")
    if not DOCKER_CLI:
        pytest.skip("the docker CLI is not installed")
    if not os.path.exists("/bin/busybox"):
        pytest.skip("busybox-static is not installed")
    # Short paths: containerd's sockets live below the exec root and must fit sun_path.
    base = Path(tempfile.mkdtemp(prefix="sbx-dd-", dir="/tmp"))
    key_existed = Path("/etc/docker/key.json").exists()
    sock = base / "d.sock"
    log = open(base / "dockerd.log", "wb")
    proc = subprocess.Popen(
        ["dockerd", "--data-root", str(base / "root"), "--exec-root", str(base / "exec"),
         "--pidfile", str(base / "d.pid"), "-H", f"unix://{sock}", "--bridge=none", "--iptables=false",
         "--ip-masq=false", "--userland-proxy=false"],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def stop() -> None:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        log.close()
        _unmount_below(base)
        shutil.rmtree(base, ignore_errors=True)
        if not _other_dockerd(proc.pid):
            for path in ("/run/docker", "/run/containerd", "/run/docker.pid"):
                if os.path.isdir(path):
                    shutil.rmtree(path, ignore_errors=True)
                elif os.path.exists(path):
                    os.unlink(path)
            _remove_docker_cgroups()
            if not key_existed and Path("/etc/docker/key.json").exists():
                os.unlink("/etc/docker/key.json")

    config = base / "cli-config"
    config.mkdir()
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "DOCKER_HOST": f"unix://{sock}",
           "DOCKER_CONFIG": str(config), "TZ": "UTC", "HOME": str(base), "DOCKER_BUILDKIT": "0"}
    daemon = Daemon("dockerd", sock, stop, env)
    try:
        wait_for(lambda: sock.exists() and daemon.cli("version").returncode == 0, "dockerd to answer")
        # The hub's busybox runs `sh` by default; so does ours, for `docker create busybox`.
        daemon.cli("import", "--change", 'CMD ["sh"]', str(busybox_tar(base)), "busybox:latest", check=True)
    except BaseException:
        stop()
        raise
    return daemon


def start_sandbox_engine() -> Daemon:
    """Our engine (``sandbox engine``) on its own root and socket, with busybox bootstrapped."""
    if os.geteuid() != 0:
        pytest.skip("the engine needs root")
    if not DOCKER_CLI:
        pytest.skip("the docker CLI is not installed")
    if not os.path.exists("/bin/busybox"):
        pytest.skip("busybox-static is not installed")
    import sys

    from sandbox.images.bootstrap import bootstrap_busybox
    from sandbox.storage import Store

    base = Path(tempfile.mkdtemp(prefix="sbx-en-", dir="/tmp"))
    root, run = base / "root", base / "run"
    bootstrap_busybox(Store(root, "copy"))
    sock = run / "engine.sock"
    log = open(base / "engine.log", "wb")
    env = {**os.environ, "SANDBOX_ROOT": str(root), "SANDBOX_RUN": str(run)}
    proc = subprocess.Popen([sys.executable, "-m", "sandbox.engine.daemon", "engine", "--socket", str(sock),
                             "--storage-driver", "copy", "--group", "root"],
                            env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

    def stop() -> None:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        log.close()
        _unmount_below(base)
        shutil.rmtree(base, ignore_errors=True)

    config = base / "cli-config"
    config.mkdir()
    cli_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "DOCKER_HOST": f"unix://{sock}",
               "DOCKER_CONFIG": str(config), "TZ": "UTC", "HOME": str(base), "DOCKER_BUILDKIT": "0"}
    daemon = Daemon("sandbox", sock, stop, cli_env)
    try:
        wait_for(lambda: proc.poll() is not None or (sock.exists() and daemon.cli("version").returncode == 0),
                 "the engine to answer")
        if proc.poll() is not None:
            raise AssertionError(f"the engine exited: {(base / 'engine.log').read_text(errors='replace')}")
    except BaseException:
        stop()
        raise
    return daemon


STARTERS: dict[str, Callable[[], Daemon]] = {
    "dockerd": start_dockerd,
    "sandbox": start_sandbox_engine,
}
DAEMONS_UNDER_TEST = os.environ.get("SANDBOX_TEST_DAEMONS", "dockerd").split(",")
DAEMON_PARAMS = [pytest.param(name, id=name, marks=pytest.mark.root) for name in DAEMONS_UNDER_TEST]


_STARTED: dict[str, Daemon] = {}


def shared_daemon(name: str, request: pytest.FixtureRequest) -> Daemon:
    """One daemon per name for the whole session, whichever test directory asks first;
    stopped when the asking session-scoped fixture is torn down."""
    if name not in _STARTED:
        daemon = STARTERS[name]()
        _STARTED[name] = daemon

        def stop() -> None:
            _STARTED.pop(name, None)
            daemon.stop()

        request.addfinalizer(stop)
    return _STARTED[name]
