"""Fixtures for the engine's tests: a store holding busybox, the API over it in memory."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from sandbox.config import Settings
from sandbox.engine.api import build_app
from sandbox.engine.daemon import ping
from sandbox.engine.events import EventBus, TraceBus
from sandbox.engine.http.testing import TestClient
from sandbox.errors import SandboxError
from sandbox.images._elf import is_static
from sandbox.images.bootstrap import bootstrap_busybox
from sandbox.storage import Store

BUSYBOX = Path("/bin/busybox")


def _have_busybox() -> bool:
    return BUSYBOX.is_file() and is_static(BUSYBOX)


@pytest.fixture(scope="session")
def busybox_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One store root with busybox:latest, built once; tests get copies."""
    if not _have_busybox():
        pytest.skip("busybox-static is not installed (apt-get install busybox-static)")
    root = tmp_path_factory.mktemp("busybox-template") / "root"
    bootstrap_busybox(Store(root, "copy"))
    return root


@pytest.fixture
def store_root(tmp_path: Path, busybox_template: Path) -> Path:
    dst = tmp_path / "root"
    shutil.copytree(busybox_template, dst, symlinks=True)
    return dst


@pytest.fixture
def store(store_root: Path) -> Store:
    return Store(store_root, "copy")


@pytest.fixture
def settings(tmp_path: Path, store_root: Path) -> Settings:
    return Settings(root=store_root, run_dir=tmp_path / "run")


@dataclass
class Api:
    client: TestClient
    store: Store
    events: EventBus
    trace: TraceBus
    settings: Settings


@pytest.fixture
def api(settings: Settings, store: Store) -> Iterator[Api]:
    """The engine API over a busybox store, served in memory."""
    events, trace = EventBus(), TraceBus()
    app = build_app(settings, store=store, events=events, trace=trace)
    with TestClient(app) as client:
        yield Api(client, store, events, trace, settings)


# -- a real daemon process --------------------------------------------------------------------


@dataclass
class Daemon:
    proc: subprocess.Popen[bytes]
    socket: Path
    root: Path
    env: dict[str, str]
    log: Path
    cmd: list[str] = field(default_factory=list)

    @property
    def docker_host(self) -> str:
        return f"unix://{self.socket}"

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20.0) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                return self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout)
                raise AssertionError(f"the daemon ignored signal {sig}:\n{self.log_text()}") from None
        return self.proc.returncode

    def respawn(self) -> None:
        """Start the daemon again on the same socket and state (after ``stop``)."""
        assert self.proc.poll() is not None, "the daemon still runs"
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(self.cmd, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL)
        try:
            wait_for(lambda: ping(self.socket, timeout=1.0) or self.proc.poll() is not None,
                     what="the daemon's /_ping")
        except AssertionError:
            self.stop(signal.SIGKILL)
            raise
        assert self.proc.poll() is None, f"the daemon exited with {self.proc.returncode}:\n{self.log_text()}"


def wait_for(check: Callable[[], object], timeout: float = 30.0, what: str = "condition") -> None:
    """Poll ``check`` until it is true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def start_daemon(tmp_path: Path, root: Path, *, group: str = "root", socket_path: Path | None = None,
                 wait: bool = True, name: str = "engine", run_dir: Path | None = None,
                 storage_driver: str = "copy", extra_env: dict[str, str] | None = None) -> Daemon:
    run = run_dir or tmp_path / "run"
    sock = socket_path or run / "engine.sock"
    env = {**os.environ, "SANDBOX_ROOT": str(root), "SANDBOX_RUN": str(run), **(extra_env or {})}
    log = tmp_path / f"{name}.log"
    cmd = [sys.executable, "-m", "sandbox.engine.daemon", "engine", "--socket", str(sock),
           "--storage-driver", storage_driver, "--group", group]
    with open(log, "ab") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    d = Daemon(proc, sock, root, env, log, cmd)
    if wait:
        try:
            wait_for(lambda: ping(sock, timeout=1.0) or proc.poll() is not None, what="the daemon's /_ping")
        except AssertionError:
            d.stop(signal.SIGKILL)
            raise
        assert proc.poll() is None, f"the daemon exited with {proc.returncode}:\n{d.log_text()}"
    return d


@pytest.fixture
def daemon(tmp_path: Path, store_root: Path) -> Iterator[Daemon]:
    """A real engine process on a socket in tmp_path, its state (busybox) in tmp_path."""
    d = start_daemon(tmp_path, store_root)
    try:
        yield d
    finally:
        d.stop()


# -- a real daemon that runs containers -------------------------------------------------------
# Its run directory is short (/tmp/se-…): the shims' unix sockets live there and a socket
# path may not pass 107 bytes, which a pytest tmp_path plus a container id would.
# Its cgroups live under sandbox/<unique>, so what a test leaves behind can be counted.


def short_dir(prefix: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))


def api_call(sock: Path, method: str, path: str, body: object = None,
             timeout: float = 60.0) -> tuple[int, bytes]:
    """One request on the engine's socket with the standard library alone: (status, body)."""
    conn = UnixHTTPConnection(str(sock), timeout)
    try:
        data = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"} if data is not None else {}
        conn.request(method, path, body=data, headers=headers)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path: str, timeout: float = 60.0) -> None:
        super().__init__("localhost", timeout=timeout)
        self.unix_path = path

    def connect(self) -> None:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(self.timeout)
        s.connect(self.unix_path)
        self.sock = s


def cgroup_dirs(unique: str) -> list[Path]:
    root = Path("/sys/fs/cgroup")
    return [p for p in root.glob(f"*/sandbox/{unique}") if p.is_dir()]


@dataclass(frozen=True)
class Footprint:
    """What containers leave on the host: mounts under our directories, cgroups under
    our parent, processes in those cgroups."""

    mounts: tuple[str, ...]
    cgroups: tuple[str, ...]
    pids: tuple[int, ...]

    @classmethod
    def take(cls, unique: str, dirs: list[Path], daemon_pid: int | None = None) -> Footprint:
        """Processes are those in our cgroups and the shims, which carry the run directory
        in their command line (forks of the engine's fork server, whose command line names
        the runtime's root); the engine itself is left out, and while it runs
        (``daemon_pid``) so are its cgroup warm-up anchor and its fork server, which it
        ends when it stops."""
        from sandbox.linux import proc
        from sandbox.runtime.cgroups.warmup import ANCHOR_CGROUP

        mounts = sorted({m for d in dirs for m in proc.mounts_under(str(d))})
        groups = sorted(str(c) for d in cgroup_dirs(unique) for c in d.rglob("*") if c.is_dir()
                        and not (daemon_pid is not None and c.name == ANCHOR_CGROUP))
        pids: set[int] = set()
        for g in [*groups, *(str(d) for d in cgroup_dirs(unique))]:
            try:
                pids.update(int(x) for x in Path(g, "cgroup.procs").read_text().split())
            except OSError:
                continue  # removed meanwhile
        marks = [str(d).encode() for d in dirs]
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit() or int(entry.name) in (daemon_pid, os.getpid()):
                continue
            try:
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue  # it exited meanwhile
            if any(m in cmdline for m in marks) and not _is_fork_server(entry, cmdline, daemon_pid):
                pids.add(int(entry.name))
        return cls(tuple(mounts), tuple(groups), tuple(sorted(pids)))

    @property
    def empty(self) -> bool:
        return not (self.mounts or self.cgroups or self.pids)


def _is_fork_server(entry: Path, cmdline: bytes, daemon_pid: int | None) -> bool:
    """The running engine's fork server (its shims carry the same command line but are the
    server's children, not the engine's)."""
    from sandbox.linux import proc

    if daemon_pid is None or b"sandbox.runtime.forkserver" not in cmdline:
        return False
    try:
        return int(proc.read_status(entry.name)["PPid"]) == daemon_pid
    except (OSError, KeyError):
        return False  # it exited meanwhile


def purge(unique: str, dirs: list[Path]) -> None:
    """Remove whatever a failed test left: kill its processes, unmount, remove cgroups."""
    fp = Footprint.take(unique, dirs)
    for pid in fp.pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    for m in sorted(fp.mounts, key=len, reverse=True):
        subprocess.run(["umount", "-l", m], check=False, capture_output=True)
    deadline = time.monotonic() + 10
    for d in cgroup_dirs(unique):
        for child in sorted((c for c in d.rglob("*") if c.is_dir()), key=lambda p: -len(str(p))) + [d]:
            while True:
                try:
                    child.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        break
                    time.sleep(0.05)  # killed processes take a moment to leave the cgroup


def remove_all_containers(d: Daemon) -> list[str]:
    """Force-remove every container through the API; the problems met."""
    problems: list[str] = []
    status, body = api_call(d.socket, "GET", "/containers/json?all=1")
    if status != 200:
        return [f"list: {status} {body!r}"]
    for c in json.loads(body):
        status, body = api_call(d.socket, "DELETE", f"/containers/{c['Id']}?force=1")
        if status not in (204, 404):
            problems.append(f"rm {c['Id'][:12]}: {status} {body!r}")
    return problems


@dataclass
class Engine:
    daemon: Daemon
    unique: str
    run_dir: Path
    dirs: list[Path]

    def footprint(self) -> Footprint:
        return Footprint.take(self.unique, self.dirs, self.daemon.proc.pid)


@pytest.fixture(scope="session")
def overlay_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store root with busybox:latest made for the overlay driver (a store keeps the
    driver it was made with), built once; tests get copies."""
    if not _have_busybox():
        pytest.skip("busybox-static is not installed (apt-get install busybox-static)")
    root = tmp_path_factory.mktemp("overlay-template") / "root"
    bootstrap_busybox(Store(root, "overlay"))
    return root


@pytest.fixture
def engine(tmp_path: Path, overlay_template: Path, unique: str) -> Iterator[Engine]:
    """A real engine process (overlay storage, busybox) that runs containers; teardown
    removes every container, stops it and checks that nothing was left on the host."""
    if os.geteuid() != 0:
        pytest.skip("needs root")
    store_root = tmp_path / "root"
    shutil.copytree(overlay_template, store_root, symlinks=True)
    run = short_dir("se-")
    dirs = [tmp_path, run]
    try:
        d = start_daemon(tmp_path, store_root, run_dir=run, storage_driver="overlay",
                         extra_env={"SANDBOX_CGROUP_PARENT": f"sandbox/{unique}"})
    except BaseException:
        shutil.rmtree(run, ignore_errors=True)
        raise
    try:
        yield Engine(d, unique, run, dirs)
    finally:
        problems = remove_all_containers(d) if d.proc.poll() is None else []
        d.stop()
        left = Footprint.take(unique, dirs)
        purge(unique, dirs)
        shutil.rmtree(run, ignore_errors=True)
        assert not problems, problems
        assert left.empty, f"left behind: {left}"


# -- the API over a real container service, in this process -----------------------------------


@dataclass
class ContainerApi:
    client: TestClient
    socket: Path
    service: object
    runtime: object
    unique: str


@pytest.fixture
def container_api(tmp_path: Path, overlay_template: Path, unique: str) -> Iterator[ContainerApi]:
    """``build_app`` with the container routes over a real ``ContainerService``, served on a
    unix socket in a short directory; teardown removes every container and checks that
    nothing was left on the host."""
    if os.geteuid() != 0:
        pytest.skip("needs root")
    from sandbox.engine.api import containers as container_routes
    from sandbox.engine.containers import ContainerService
    from sandbox.runtime.runtime import Runtime

    root = tmp_path / "root"
    shutil.copytree(overlay_template, root, symlinks=True)
    run = short_dir("sc-")
    settings = Settings(root=root, run_dir=run, cgroup_parent=f"sandbox/{unique}")
    events, trace = EventBus(), TraceBus()
    store = Store(root, "overlay")
    runtime = Runtime(settings.runtime_root, cgroup_parent=settings.cgroup_parent)
    svc = ContainerService(settings, store, runtime, events.emit)
    app = build_app(settings, store=store, events=events, trace=trace, containers=svc)
    app.include(container_routes.register, svc, runtime)
    sock = run / "api.sock"
    try:
        client = TestClient(app, socket=sock, timeout=60)
    except BaseException:
        shutil.rmtree(run, ignore_errors=True)
        raise
    problems: list[str] = []
    try:
        yield ContainerApi(client, sock, svc, runtime, unique)
    finally:
        for c in svc.list(all=True):
            try:
                svc.remove(c["Id"], force=True)
            except SandboxError as e:
                problems.append(f"rm {c['Id'][:12]}: {e}")
        client.close()
        svc.close()
        left = Footprint.take(unique, [tmp_path, run])
        purge(unique, [tmp_path, run])
        shutil.rmtree(run, ignore_errors=True)
        assert not problems, problems
        assert left.empty, f"left behind: {left}"
