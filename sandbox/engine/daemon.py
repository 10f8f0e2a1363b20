"""The engine daemon: ``sandbox engine`` serves the API; ``up``, ``down`` and ``env`` manage it.

    sandbox engine [--socket PATH]   serve in the foreground (as root), until SIGTERM/SIGINT
    sandbox up                       start it in the background unless it runs; wait for /_ping
    sandbox up --registry            … and a docker-registry on 127.0.0.1:5000 for lessons
    sandbox down                     SIGTERM it (by its pid file) and wait until it is gone
                                     (and the registry, if `up --registry` started one)
    sandbox env                      print `export DOCKER_HOST=unix://…` (and the registry's address)

The socket is Settings.run_dir/engine.sock unless ``--socket`` says otherwise; the pid file
and the background log sit beside it (engine.pid, engine.log). The pid file is also a lock:
a daemon holds it for its whole life, so a second one on the same socket refuses to start
and ``down`` knows a daemon is gone when the lock is free, whatever became of the pid.
"""

from __future__ import annotations

import argparse
import asyncio
import errno
import fcntl
import grp
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

from sandbox.config import Settings
from sandbox.engine import registry_service
from sandbox.engine.api import build_app
from sandbox.engine.events import EventBus, TraceBus
from sandbox.engine.heap import keep_freed_heap
from sandbox.engine.http import App, Server
from sandbox.errors import DaemonError, SandboxError
from sandbox.linux.trace import Tracer
from sandbox.storage import Store

if TYPE_CHECKING:
    from sandbox.engine.containers import ContainerService

log = logging.getLogger("sandbox.engine")

SOCKET_GROUP = "sandbox"
SHUTDOWN_GRACE = 5.0


@dataclass(frozen=True)
class DaemonPaths:
    socket: Path

    @classmethod
    def resolve(cls, settings: Settings, socket_path: str | None) -> DaemonPaths:
        return cls(Path(socket_path) if socket_path else settings.run_dir / "engine.sock")

    @property
    def pid(self) -> Path:
        return self.socket.with_suffix(".pid")

    @property
    def log(self) -> Path:
        return self.socket.with_suffix(".log")

    def registry(self, settings: Settings) -> registry_service.RegistryPaths:
        return registry_service.RegistryPaths.beside(settings.root, self.socket)


# -- probes -----------------------------------------------------------------------------------


def ping(sock_path: Path, timeout: float = 2.0) -> bool:
    """Does an engine answer ``GET /_ping`` with OK on this socket?"""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(timeout)
            s.connect(str(sock_path))
            s.sendall(b"GET /_ping HTTP/1.1\r\nHost: engine\r\nConnection: close\r\n\r\n")
            reply = b""
            while chunk := s.recv(4096):
                reply += chunk
    except OSError:
        return False
    return reply.startswith(b"HTTP/1.1 200") and reply.endswith(b"OK")


def _listening(sock_path: Path) -> bool:
    """Is anything accepting connections on the socket (ours or not)?"""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        try:
            s.connect(str(sock_path))
        except OSError:
            return False
    return True


def _pid_of(paths: DaemonPaths) -> int | None:
    try:
        text = paths.pid.read_text().strip()
    except FileNotFoundError:
        return None
    return int(text) if text.isdigit() else None


def _lock_held(paths: DaemonPaths) -> bool:
    """True while a daemon holds the pid file's lock."""
    try:
        fd = os.open(paths.pid, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


# -- the socket's owner and mode --------------------------------------------------------------


def ensure_group(name: str, groupadd: list[str] | None = None) -> int | None:
    """The gid of ``name``, creating it as a system group if it is missing; None (and the
    reason logged) if it cannot be had."""
    try:
        return grp.getgrnam(name).gr_gid
    except KeyError:
        pass
    cmd = (groupadd or ["groupadd", "--system"]) + [name]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError) as e:
        log.warning("cannot create group %s (%s): the socket stays root-only (0600)", name, e)
        return None
    if proc.returncode != 0:
        log.warning("cannot create group %s (%s exited %d: %s): the socket stays root-only (0600)",
                    name, cmd[0], proc.returncode, proc.stderr.strip())
        return None
    try:
        return grp.getgrnam(name).gr_gid
    except KeyError:
        log.warning("%s succeeded but group %s is still unknown: the socket stays root-only", cmd[0], name)
        return None


def secure_socket(path: Path, group: str, groupadd: list[str] | None = None) -> int:
    """Give the socket to ``group`` with mode 0660, or keep it 0600; returns the mode."""
    gid = ensure_group(group, groupadd)
    if gid is not None:
        try:
            os.chown(path, -1, gid)
            os.chmod(path, 0o660)
            return 0o660
        except OSError as e:
            log.warning("cannot give %s to group %s: %s; keeping it 0600", path, group, e)
    os.chmod(path, 0o600)
    return 0o600


# -- serving ----------------------------------------------------------------------------------


@dataclass
class Engine:
    """The daemon's services, made once at start."""

    settings: Settings
    store: Store
    events: EventBus
    trace: TraceBus
    tracer: Tracer
    app: App
    containers: ContainerService

    def restore(self) -> None:
        """Re-read the containers' records: running ones are re-adopted, the others marked
        exited with a reason. Before serving, so the first ``docker ps`` is complete."""
        for problem in self.containers.restore():
            log.warning("restore: %s", problem)

    def close(self) -> None:
        """Stop watching containers (they keep running; the next engine re-adopts them)
        and close the event log."""
        try:
            self.containers.close()
        finally:
            self.events.close()


def compose(settings: Settings, storage_driver: str = "overlay") -> Engine:
    """Build the services and the API. The container service shares ``events`` (its
    lifecycle events) and ``tracer`` (the runtime's trace records) with the rest."""
    # Imported here, not at the top: `sandbox up/down/env` import this module too and
    # should not pay for the runtime and the container service.
    from sandbox.engine.api import containers as container_routes
    from sandbox.engine.containers import ContainerService
    from sandbox.runtime.runtime import Runtime

    try:
        settings.root.mkdir(parents=True, exist_ok=True)
        events = EventBus.open(settings.root / "events.jsonl")
    except OSError as e:
        raise DaemonError(f"cannot use the state root {settings.root}: {e}",
                          "SANDBOX_ROOT must be a directory the engine can write") from None
    trace = TraceBus()
    tracer = Tracer(trace.sink)
    store = Store(settings.store_root, storage_driver, tracer=tracer)
    runtime = Runtime(settings.runtime_root, cgroup_parent=settings.cgroup_parent, tracer=tracer)
    try:
        runtime.warm_migrations()
    except (SandboxError, OSError) as e:
        log.warning("containers start without the cgroup warm-up (a few ms slower each): %s", e)
    try:
        runtime.use_fork_server()
    except SandboxError as e:
        log.warning("the engine forks the shims itself (slower, and each copies its memory): %s", e)
    from sandbox.engine.api.wiring import add_volume_and_network_routes, make_volume_and_network_services

    volumes, networks = make_volume_and_network_services(settings, tracer)
    containers = ContainerService(settings, store, runtime, events.emit, volumes=volumes, networks=networks)

    def image_in_use(image_id: str) -> str | None:
        return next((c["Id"] for c in containers.list(all=True) if c.get("ImageID") == image_id), None)

    app = build_app(settings, store=store, events=events, trace=trace, containers=containers,
                    image_in_use=image_in_use, runtime=runtime, volumes=volumes)
    app.include(container_routes.register, containers, runtime)
    add_volume_and_network_routes(app, volumes, networks, containers)
    return Engine(settings, store, events, trace, tracer, app, containers)


class _PidLock:
    def __init__(self, paths: DaemonPaths) -> None:
        self.paths = paths
        self._file: IO[str] | None = None

    def acquire(self) -> None:
        try:
            f = open(self.paths.pid, "a+")
        except OSError as e:
            raise DaemonError(f"cannot open the pid file {self.paths.pid}: {e}",
                              "run the engine as root, or pass --socket in a directory you own") from None
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            f.close()
            pid = _pid_of(self.paths)
            raise DaemonError(f"an engine is already running (pid {pid}) on {self.paths.socket}",
                              "stop it with `sandbox down`, or pass another --socket") from None
        self._file = f

    def write_pid(self) -> None:
        assert self._file is not None
        self._file.seek(0)
        self._file.truncate()
        self._file.write(f"{os.getpid()}\n")
        self._file.flush()

    def release(self) -> None:
        if self._file is not None:
            self.paths.pid.unlink(missing_ok=True)
            self._file.close()
            self._file = None


def _make_run_dir(paths: DaemonPaths) -> None:
    try:
        paths.socket.parent.mkdir(mode=0o755, parents=True, exist_ok=True)
    except OSError as e:
        raise DaemonError(f"cannot create {paths.socket.parent}: {e}",
                          "run the engine as root (sudo), or pass --socket in a directory you own") from None


def _claim_socket(paths: DaemonPaths) -> None:
    if not (paths.socket.exists() or paths.socket.is_symlink()):
        return
    if _listening(paths.socket):
        raise DaemonError(f"something is already listening on {paths.socket}",
                          "stop it, or pass another --socket")
    log.info("removing the stale socket %s", paths.socket)
    paths.socket.unlink()


async def _serve(engine: Engine, paths: DaemonPaths, group: str, pid_lock: _PidLock) -> None:
    server = Server(engine.app)
    old_umask = os.umask(0o177)  # the socket is born 0600, never briefly open to all
    try:
        await server.start_unix(paths.socket)
    except OSError as e:
        too_long = e.errno == errno.ENAMETOOLONG or "too long" in str(e)
        raise DaemonError(f"cannot listen on {paths.socket}: {e}",
                          "a socket path must be shorter than 108 bytes" if too_long else None) from None
    finally:
        os.umask(old_umask)
    try:
        mode = secure_socket(paths.socket, group)
        pid_lock.write_pid()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        log.info("engine %s listening on %s (mode %o), state in %s", os.getpid(), paths.socket, mode,
                 engine.settings.root)
        await stop.wait()
        log.info("stopping: no new connections, ending streams")
        await server.shutdown(SHUTDOWN_GRACE)
    finally:
        paths.socket.unlink(missing_ok=True)  # ours: removed only once we made it


def run_engine(settings: Settings, paths: DaemonPaths, storage_driver: str = "overlay",
               group: str = SOCKET_GROUP) -> int:
    if os.geteuid() != 0:
        log.warning("not running as root: containers will not start (images and events work)")
    if not keep_freed_heap():
        log.info("malloc thresholds left at the C library's defaults")
    _make_run_dir(paths)
    pid_lock = _PidLock(paths)
    pid_lock.acquire()
    try:
        _claim_socket(paths)
        engine = compose(settings, storage_driver)
        try:
            engine.restore()
            asyncio.run(_serve(engine, paths, group, pid_lock))
        finally:
            engine.close()
    finally:
        pid_lock.release()
    log.info("engine stopped")
    return 0


# -- up, down, env ----------------------------------------------------------------------------


def _log_tail(path: Path, lines: int = 15) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:]) or "(the log is empty)"


def up(settings: Settings, paths: DaemonPaths, storage_driver: str = "overlay", group: str = SOCKET_GROUP,
       timeout: float = 30.0) -> int:
    if ping(paths.socket):
        print(f"the engine is already running on {paths.socket}")
        return 0
    _make_run_dir(paths)
    cmd = [sys.executable, "-m", "sandbox.engine.daemon", "engine", "--socket", str(paths.socket),
           "--storage-driver", storage_driver, "--group", group]
    env = {**os.environ, "SANDBOX_ROOT": str(settings.root), "SANDBOX_RUN": str(settings.run_dir)}
    try:
        with open(paths.log, "ab") as logf:
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=logf, stderr=logf, env=env,
                                    start_new_session=True, close_fds=True)
    except OSError as e:
        raise DaemonError(f"cannot start the engine: {e}", f"check that {paths.log} is writable") from None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ping(paths.socket, timeout=1.0):
            print(f"the engine is running (pid {proc.pid}) on {paths.socket}")
            return 0
        code = proc.poll()
        if code is not None:
            raise DaemonError(f"the engine exited with status {code} while starting:\n{_log_tail(paths.log)}",
                              f"the whole log is {paths.log}")
        time.sleep(0.05)
    raise DaemonError(f"the engine did not answer on {paths.socket} within {timeout:g}s:\n"
                      f"{_log_tail(paths.log)}", f"the whole log is {paths.log}; pid {proc.pid}")


def down(paths: DaemonPaths, timeout: float = 30.0) -> int:
    pid = _pid_of(paths)
    if pid is None or not _lock_held(paths):
        print(f"the engine is not running on {paths.socket}")
        return 0
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        print(f"the engine is not running on {paths.socket}")
        return 0
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _lock_held(paths):
            print(f"the engine (pid {pid}) has stopped")
            return 0
        time.sleep(0.05)
    raise DaemonError(f"the engine (pid {pid}) did not stop within {timeout:g}s of SIGTERM",
                      f"see {paths.log}; `kill -9 {pid}` ends it for good")


def env_lines(paths: DaemonPaths, settings: Settings | None = None) -> list[str]:
    lines = [f"export DOCKER_HOST=unix://{paths.socket}"]
    if settings is not None:
        lines += registry_service.env_lines(paths.registry(settings))
    return lines


def up_registry(settings: Settings, paths: DaemonPaths, options: registry_service.RegistryOptions,
                timeout: float = 15.0) -> int:
    record, started = registry_service.start(paths.registry(settings), options, timeout)
    state = "is running" if started else "is already running"
    print(f"the registry {state} (pid {record.pid}) on {record.address}: "
          f"docker push {record.address}/NAME:TAG")
    return 0


def down_registry(settings: Settings, paths: DaemonPaths, timeout: float = 10.0) -> None:
    record = registry_service.stop(paths.registry(settings), timeout)
    if record is not None:
        print(f"the registry (pid {record.pid}) on {record.address} has stopped")


# -- command line -----------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="sandbox", description="the engine daemon")
    sub = p.add_subparsers(dest="cmd", required=True)
    for name, help_text in (("engine", "serve the Docker API in the foreground (as root)"),
                            ("up", "start the engine in the background unless it is running"),
                            ("down", "stop the engine"),
                            ("env", "print the shell lines that point docker at the engine")):
        sp = sub.add_parser(name, help=help_text)
        sp.add_argument("--socket", help="the unix socket (default: $SANDBOX_RUN/engine.sock)")
        if name in ("engine", "up"):
            sp.add_argument("--storage-driver", default=os.environ.get("SANDBOX_STORAGE_DRIVER", "overlay"),
                            choices=["overlay", "copy"], help="how image layers are kept (default overlay)")
            sp.add_argument("--group", default=SOCKET_GROUP, help="the group that may use the socket")
        if name in ("up", "down"):
            sp.add_argument("--timeout", type=float, default=30.0, help="seconds to wait (default 30)")
        if name == "up":
            sp.add_argument("--registry", action="store_true",
                            help="also start a docker-registry on the loopback (stopped by `sandbox down`)")
            sp.add_argument("--registry-address", default=registry_service.DEFAULT_ADDRESS, metavar="HOST:PORT",
                            help=f"where the registry listens (default {registry_service.DEFAULT_ADDRESS})")
            sp.add_argument("--registry-htpasswd", type=Path, metavar="FILE",
                            help="require logins against this htpasswd file (bcrypt: htpasswd -B)")
        if name == "engine":
            sp.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    return p


def main(argv: list[str]) -> int:
    """``argv`` starts with the command: ``["engine", "--socket", P]``, ``["up"]``, ``["down"]``,
    ``["env"]``."""
    args = _parser().parse_args(argv)
    settings = Settings.from_env()
    paths = DaemonPaths.resolve(settings, args.socket)
    if args.cmd == "engine":
        logging.basicConfig(level=args.log_level.upper(), stream=sys.stderr,
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        return run_engine(settings, paths, args.storage_driver, args.group)
    if args.cmd == "up":
        code = up(settings, paths, args.storage_driver, args.group, args.timeout)
        if args.registry:
            options = registry_service.RegistryOptions(args.registry_address, args.registry_htpasswd)
            code = code or up_registry(settings, paths, options, min(args.timeout, 15.0))
        return code
    if args.cmd == "down":
        down_registry(settings, paths, min(args.timeout, 10.0))
        return down(paths, args.timeout)
    print("\n".join(env_lines(paths, settings)))
    return 0


def _entry() -> int:
    try:
        return main(sys.argv[1:])
    except SandboxError as e:
        print(f"sandbox: {e.render()}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(_entry())
