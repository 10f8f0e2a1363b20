"""``sandbox up --registry``: a docker-registry next to the engine, stopped by ``down``."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox.config import Settings
from sandbox.engine import daemon as daemon_mod
from sandbox.engine import registry_service as rs
from sandbox.engine.daemon import DaemonPaths, main, ping
from sandbox.errors import RegistryServiceError, RegistryUnauthorized
from sandbox.images.registry import DockerConfig, login, pull, push
from sandbox.storage import Store

needs_registry = pytest.mark.skipif(shutil.which("docker-registry") is None,
                                    reason="docker-registry is not installed (apt-get install docker-registry)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def paths(tmp_path: Path) -> Iterator[rs.RegistryPaths]:
    """A registry's paths of the test's own; whatever was started is killed at the end."""
    p = rs.RegistryPaths.beside(tmp_path / "root", tmp_path / "run" / "engine.sock")
    yield p
    record = rs.running(p)
    if record is not None:
        os.kill(record.pid, signal.SIGKILL)
        rs._reap(record.pid)


# -- validation, without starting anything ----------------------------------------------------


@pytest.mark.parametrize("address", ["0.0.0.0:5000", "10.1.2.3:5000", "example.org:5000"])
def test_only_loopback_addresses_are_accepted(address: str) -> None:
    with pytest.raises(RegistryServiceError, match="only listen on the loopback"):
        rs.parse_address(address)


@pytest.mark.parametrize("address", ["127.0.0.1:", "127.0.0.1:http", "127.0.0.1:70000", "0"])
def test_an_address_without_a_valid_port_is_refused(address: str) -> None:
    with pytest.raises(RegistryServiceError, match="no valid port"):
        rs.parse_address(address)


@pytest.mark.parametrize(("address", "parsed"), [("5001", ("127.0.0.1", 5001)),
                                                 ("localhost:5002", ("127.0.0.1", 5002)),
                                                 ("127.0.0.2:5003", ("127.0.0.2", 5003))])
def test_addresses_are_parsed(address: str, parsed: tuple[str, int]) -> None:
    assert rs.parse_address(address) == parsed


def test_a_missing_binary_is_a_clear_error(paths: rs.RegistryPaths, tmp_path: Path) -> None:
    with pytest.raises(RegistryServiceError, match="not installed") as e:
        rs.start(paths, rs.RegistryOptions(f"127.0.0.1:{_free_port()}"), binary=str(tmp_path / "no-registry"))
    assert e.value.hint is not None and "apt-get install docker-registry" in e.value.hint
    assert not paths.record.exists()


def test_a_taken_port_is_a_clear_error(paths: rs.RegistryPaths) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        address = f"127.0.0.1:{taken.getsockname()[1]}"
        with pytest.raises(RegistryServiceError, match="is taken") as e:
            rs.start(paths, rs.RegistryOptions(address), binary="/bin/true")
    assert e.value.hint is not None and "--registry-address" in e.value.hint
    assert not paths.record.exists()


def test_a_missing_htpasswd_file_is_refused(paths: rs.RegistryPaths, tmp_path: Path) -> None:
    options = rs.RegistryOptions(f"127.0.0.1:{_free_port()}", htpasswd=tmp_path / "nope")
    with pytest.raises(RegistryServiceError, match="htpasswd file .* does not exist"):
        rs.start(paths, options, binary="/bin/true")


def test_a_registry_that_dies_at_once_shows_its_log(paths: rs.RegistryPaths, tmp_path: Path) -> None:
    fake = tmp_path / "docker-registry"
    fake.write_text("#!/bin/sh\necho 'configuration error: bad things' >&2\nexit 3\n")
    fake.chmod(0o755)
    with pytest.raises(RegistryServiceError, match="exited with status 3") as e:
        rs.start(paths, rs.RegistryOptions(f"127.0.0.1:{_free_port()}"), binary=str(fake))
    assert "configuration error: bad things" in e.value.message
    assert rs.running(paths) is None and not paths.record.exists()


def test_a_stale_record_is_not_trusted(paths: rs.RegistryPaths, capsys: pytest.CaptureFixture[str]) -> None:
    # A live pid that is not a registry (this test process): neither signalled nor reported.
    paths.record.parent.mkdir(parents=True)
    paths.record.write_text(f'{{"pid": {os.getpid()}, "address": "127.0.0.1:1", "config": "{paths.config}"}}')
    assert rs.running(paths) is None
    assert rs.env_lines(paths) == []
    assert rs.stop(paths) is None and not paths.record.exists()


# -- a real registry ----------------------------------------------------------------------------


@needs_registry
def test_start_is_idempotent_and_stop_stops(paths: rs.RegistryPaths) -> None:
    address = f"127.0.0.1:{_free_port()}"
    record, started = rs.start(paths, rs.RegistryOptions(address))
    assert started and record.address == address
    assert rs.answers("127.0.0.1", int(address.rsplit(":", 1)[1]))
    again, started_again = rs.start(paths, rs.RegistryOptions(address))
    assert again == record and not started_again
    with pytest.raises(RegistryServiceError, match="already runs on"):
        rs.start(paths, rs.RegistryOptions(f"127.0.0.1:{_free_port()}"))
    assert rs.env_lines(paths)[0] == f"export SANDBOX_REGISTRY={address}"
    assert rs.stop(paths) == record
    assert rs.running(paths) is None and not paths.record.exists()
    assert not rs.answers("127.0.0.1", int(address.rsplit(":", 1)[1]))
    assert rs.stop(paths) is None


@needs_registry
def test_htpasswd_protects_it(paths: rs.RegistryPaths, tmp_path: Path) -> None:
    htpasswd = shutil.which("htpasswd")
    if htpasswd is None:
        pytest.skip("htpasswd is not installed (apt-get install apache2-utils)")
    users = tmp_path / "htpasswd"
    subprocess.run([htpasswd, "-Bbc", str(users), "learner", "pw-1"], check=True, capture_output=True)
    address = f"127.0.0.1:{_free_port()}"
    rs.start(paths, rs.RegistryOptions(address, htpasswd=users))
    config = tmp_path / "docker-config" / "config.json"
    with pytest.raises(RegistryUnauthorized):
        login(address, "learner", "wrong", config=DockerConfig(config))
    assert login(address, "learner", "pw-1", config=DockerConfig(config)) is not None


@pytest.fixture
def control(tmp_path: Path, store_root: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """``sandbox up``/``down`` with a state root and run dir of the test's own; the engine and
    the registry are killed at the end, even if the test failed."""
    monkeypatch.setenv("SANDBOX_ROOT", str(store_root))
    monkeypatch.setenv("SANDBOX_RUN", str(tmp_path / "run"))
    monkeypatch.setenv("SANDBOX_STORAGE_DRIVER", "copy")
    settings = Settings.from_env()
    daemon_paths = DaemonPaths(tmp_path / "run" / "engine.sock")
    yield settings
    record = rs.running(daemon_paths.registry(settings))
    if record is not None:
        os.kill(record.pid, signal.SIGKILL)
    pid = daemon_mod._pid_of(daemon_paths)
    if pid is not None and daemon_mod._lock_held(daemon_paths):
        os.kill(pid, signal.SIGKILL)


@pytest.mark.root
@needs_registry
def test_up_registry_env_push_pull_down(control: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    daemon_paths = DaemonPaths(control.run_dir / "engine.sock")
    address = f"127.0.0.1:{_free_port()}"
    assert main(["up", "--group", "root", "--registry", "--registry-address", address]) == 0
    out = capsys.readouterr().out
    assert ping(daemon_paths.socket) and "the registry is running" in out and address in out
    assert main(["up", "--group", "root", "--registry", "--registry-address", address]) == 0
    assert "registry is already running" in capsys.readouterr().out
    assert main(["env"]) == 0
    assert f"export SANDBOX_REGISTRY={address}" in capsys.readouterr().out.splitlines()

    # Lessons push to it and pull back from it; its storage is under SANDBOX_ROOT.
    store = Store(control.root, "copy")
    store.tag(store.image("busybox:latest"), f"{address}/lesson/busybox:1")
    pushed = push(store, f"{address}/lesson/busybox:1")
    assert (control.root / "registry" / "data" / "docker" / "registry" / "v2" / "repositories" / "lesson").is_dir()
    store.untag(f"{address}/lesson/busybox:1")
    assert pull(store, f"{address}/lesson/busybox:1").manifest_digest == pushed.digest

    # As a lesson does it: the real docker CLI, pointed at the engine by `sandbox env`,
    # pushes through the engine to the registry and pulls back, with no registry settings.
    docker = shutil.which("docker")
    if docker is not None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
        env.update(DOCKER_HOST=f"unix://{daemon_paths.socket}", DOCKER_CONFIG=str(control.run_dir / "dc"))
        ref = f"{address}/lesson/cli:1"

        def run(*args: str) -> str:
            proc = subprocess.run([docker, *args], env=env, capture_output=True, text=True, timeout=120,
                                  check=False)
            assert proc.returncode == 0, f"docker {' '.join(args)}: {proc.stderr}"
            return proc.stdout

        run("tag", "busybox", ref)
        assert f"digest: {pushed.digest}" in run("push", ref)
        run("rmi", ref)
        assert f"Digest: {pushed.digest}" in run("pull", ref)

    assert main(["down"]) == 0
    out = capsys.readouterr().out
    assert "registry" in out and "has stopped" in out
    assert not rs.answers(*rs.parse_address(address)) and not ping(daemon_paths.socket)
    assert main(["env"]) == 0
    assert "SANDBOX_REGISTRY" not in capsys.readouterr().out
