"""``sandbox up --registry``: Debian's docker-registry (distribution 2.8) on the loopback.

Lessons on push, pull and login need a registry that stays up between commands, next to
the engine, and no internet. The engine does not embed one: it starts the real
``docker-registry`` binary in the background, in a session of its own (so it outlives
``sandbox up`` and a Ctrl-C in the learner's terminal), and ``sandbox down`` stops it.

    SANDBOX_ROOT/registry/config.yml      written at each start (address, storage, auth)
    SANDBOX_ROOT/registry/data/           the registry's blobs and manifests (they persist)
    <socket>.registry.json                {pid, address, config}: what ``down`` and ``env`` read
    <socket>.registry.log                 the registry's own log (access log included)

A registry on 127.0.0.0/8 speaks plain HTTP; docker (and our client) do so without any
``insecure-registries`` setting, because loopback registries are trusted by default.
"""

from __future__ import annotations

import errno
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from sandbox.errors import RegistryServiceError

DEFAULT_ADDRESS = "127.0.0.1:5000"
BINARY = "docker-registry"


@dataclass(frozen=True)
class RegistryPaths:
    """Where one engine's registry keeps its state (``root``) and its pid record (``record``)."""

    root: Path
    record: Path
    log: Path

    @classmethod
    def beside(cls, state_root: Path, socket_path: Path) -> RegistryPaths:
        return cls(root=state_root / "registry", record=socket_path.with_suffix(".registry.json"),
                   log=socket_path.with_suffix(".registry.log"))

    @property
    def config(self) -> Path:
        return self.root / "config.yml"

    @property
    def data(self) -> Path:
        return self.root / "data"


@dataclass(frozen=True)
class RegistryOptions:
    address: str = DEFAULT_ADDRESS
    """``host:port`` to listen on; only loopback addresses are accepted."""
    htpasswd: Path | None = None
    """An htpasswd file (bcrypt entries, ``htpasswd -B``) to require logins against."""


@dataclass(frozen=True)
class RegistryRecord:
    """What a started registry leaves behind for ``down`` and ``env``."""

    pid: int
    address: str
    config: str


def parse_address(address: str) -> tuple[str, int]:
    """``127.0.0.1:5000`` or ``5000`` → (host, port); refuses anything off the loopback:
    the registry has no TLS, and a classroom VM should not publish it on the network."""
    host, sep, port_text = address.rpartition(":")
    if not sep:
        host, port_text = "127.0.0.1", address
    host = host.strip("[]") or "127.0.0.1"
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise RegistryServiceError(address, f"the registry address {address!r} has no valid port",
                                   "write it as 127.0.0.1:5000 (or just a port number)")
    if host != "localhost" and not host.startswith("127.") and host != "::1":
        raise RegistryServiceError(address, f"the registry may only listen on the loopback, not {host}",
                                   "use 127.0.0.1:PORT: the registry speaks plain HTTP")
    return ("127.0.0.1" if host == "localhost" else host), int(port_text)


def _config_text(paths: RegistryPaths, host: str, port: int, htpasswd: Path | None) -> str:
    # JSON is YAML: no quoting rules to get wrong for odd paths.
    config: dict[str, object] = {
        "version": 0.1,
        "log": {"level": "warn", "accesslog": {"disabled": False}},
        "storage": {"filesystem": {"rootdirectory": str(paths.data)}, "delete": {"enabled": True},
                    "cache": {"blobdescriptor": "inmemory"}},
        # A fixed secret: distribution makes a random one otherwise and warns about it.
        "http": {"addr": f"{'[' + host + ']' if ':' in host else host}:{port}", "secret": "sandbox-registry"},
    }
    if htpasswd is not None:
        config["auth"] = {"htpasswd": {"realm": "sandbox-registry", "path": str(htpasswd)}}
    return json.dumps(config, indent=2) + "\n"


# -- probes -----------------------------------------------------------------------------------


def read_record(paths: RegistryPaths) -> RegistryRecord | None:
    try:
        data = json.loads(paths.record.read_text())
        return RegistryRecord(pid=int(data["pid"]), address=str(data["address"]), config=str(data["config"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _is_ours(record: RegistryRecord) -> bool:
    """Is the recorded pid still the registry we started? Pids are reused, so the command
    line must still name our config file before we signal it."""
    try:
        argv = Path(f"/proc/{record.pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return record.config.encode() in argv and any(a.endswith(BINARY.encode()) for a in argv)


def answers(host: str, port: int, timeout: float = 1.0) -> bool:
    """Does a distribution registry answer ``GET /v2/`` there (200, or 401 behind auth)?"""
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request("GET", "/v2/")
        resp = conn.getresponse()
        return resp.status in (200, 401) and "Docker-Distribution-Api-Version" in resp.headers
    except OSError:
        return False
    finally:
        conn.close()


def _port_free(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        # The registry sets SO_REUSEADDR as Go does: a port in TIME_WAIT is free for it too.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError as e:
            if e.errno == errno.EADDRINUSE:
                return False
            raise RegistryServiceError(f"{host}:{port}", f"cannot bind {host}:{port}: {e}") from None
    return True


def running(paths: RegistryPaths) -> RegistryRecord | None:
    """The record of our registry if its process is still alive, else None."""
    record = read_record(paths)
    return record if record is not None and _is_ours(record) else None


# -- start and stop ---------------------------------------------------------------------------


def start(paths: RegistryPaths, options: RegistryOptions, timeout: float = 15.0,
          binary: str | None = None) -> tuple[RegistryRecord, bool]:
    """Start the registry unless ours runs already; returns its record and whether it was
    started now. Raises RegistryServiceError if the binary is missing, the port is taken,
    or the registry does not answer in time (with the tail of its log)."""
    host, port = parse_address(options.address)
    address = f"{host}:{port}"
    current = running(paths)
    if current is not None:
        if current.address != address:
            raise RegistryServiceError(address, f"the registry already runs on {current.address} "
                                                f"(pid {current.pid}), not {address}",
                                       "stop it first with `sandbox down`")
        return current, False
    exe = binary or shutil.which(BINARY)
    if exe is None or not os.access(exe, os.X_OK):
        raise RegistryServiceError(address, f"the registry program {binary or BINARY} is not installed",
                                   "apt-get install docker-registry (make install does it)")
    if options.htpasswd is not None and not options.htpasswd.is_file():
        raise RegistryServiceError(address, f"the htpasswd file {options.htpasswd} does not exist",
                                   "make one with: htpasswd -Bbc FILE USER PASSWORD (bcrypt: -B)")
    if not _port_free(host, port):
        raise RegistryServiceError(address, f"the port {address} is taken by another program",
                                   "stop it, or choose another: sandbox up --registry --registry-address "
                                   "127.0.0.1:PORT")
    try:
        paths.data.mkdir(parents=True, exist_ok=True)
        paths.record.parent.mkdir(parents=True, exist_ok=True)
        htpasswd = options.htpasswd.resolve() if options.htpasswd is not None else None
        paths.config.write_text(_config_text(paths, host, port, htpasswd))
        with open(paths.log, "ab") as logf:
            proc = subprocess.Popen([exe, "serve", str(paths.config)], stdin=subprocess.DEVNULL,
                                    stdout=logf, stderr=logf, start_new_session=True, close_fds=True)
    except OSError as e:
        raise RegistryServiceError(address, f"cannot start the registry: {e}",
                                   f"check that {paths.root} and {paths.log.parent} are writable") from None
    record = RegistryRecord(pid=proc.pid, address=address, config=str(paths.config))
    paths.record.write_text(json.dumps(asdict(record)) + "\n")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        code = proc.poll()
        if code is not None:
            paths.record.unlink(missing_ok=True)
            raise RegistryServiceError(address, f"the registry exited with status {code} while starting:\n"
                                                f"{_log_tail(paths.log)}", f"the whole log is {paths.log}")
        if answers(host, port, timeout=0.5):
            return record, True
        time.sleep(0.02)
    _terminate(record, timeout=5.0)
    paths.record.unlink(missing_ok=True)
    raise RegistryServiceError(address, f"the registry did not answer on {address} within {timeout:g}s:\n"
                                        f"{_log_tail(paths.log)}", f"the whole log is {paths.log}")


def stop(paths: RegistryPaths, timeout: float = 10.0) -> RegistryRecord | None:
    """Stop our registry if it runs; returns the record of the one stopped, or None."""
    record = running(paths)
    if record is None:
        paths.record.unlink(missing_ok=True)
        return None
    if not _terminate(record, timeout):
        raise RegistryServiceError(record.address, f"the registry (pid {record.pid}) did not stop within "
                                                   f"{timeout:g}s of SIGTERM",
                                   f"`kill -9 {record.pid}` ends it for good")
    paths.record.unlink(missing_ok=True)
    return record


def _terminate(record: RegistryRecord, timeout: float) -> bool:
    try:
        os.kill(record.pid, signal.SIGTERM)
    except ProcessLookupError:
        return True
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _reap(record.pid)
        if not _is_ours(record):
            return True
        time.sleep(0.02)
    return False


def _reap(pid: int) -> None:
    """If this process started the registry (tests do), collect it so it leaves no zombie:
    a zombie keeps its /proc entry but loses its command line, which is all we look at."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def _log_tail(path: Path, lines: int = 10) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:]) or "(the log is empty)"


def env_lines(paths: RegistryPaths) -> list[str]:
    """For ``sandbox env``: the address of the running registry, as a variable and a hint."""
    record = running(paths)
    if record is None:
        return []
    return [f"export SANDBOX_REGISTRY={record.address}",
            f"# a registry runs on {record.address}: docker push {record.address}/NAME:TAG"]
