"""A real registry (Debian's docker-registry, distribution 2.8) on 127.0.0.1, per test.

Each test gets its own registry process on a free port with its own storage directory,
optionally behind htpasswd auth, and the registry is stopped in teardown whatever happened.
Its access log (combined format, on stdout) is how tests count what reached the registry.
"""

from __future__ import annotations

import http.client
import io
import os
import re
import shutil
import signal
import socket
import subprocess
import tarfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from sandbox.images._elf import is_static
from sandbox.images.bootstrap import bootstrap_busybox
from sandbox.storage import Image, ImageConfig, Layer, Store

BUSYBOX = Path("/bin/busybox")
USER, PASSWORD = "learner", "s3cret-pass"
_LOG_LINE = re.compile(r'"(?P<method>[A-Z]+) (?P<uri>\S+) HTTP/[\d.]+" (?P<status>\d{3}) ')


@dataclass
class RunningRegistry:
    proc: subprocess.Popen[bytes]
    port: int
    data: Path
    access_log: Path
    error_log: Path
    protected: bool

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def ref(self, path: str) -> str:
        return f"{self.address}/{path}"

    def requests(self) -> list[tuple[str, str, int]]:
        out = []
        for line in self.access_log.read_text(errors="replace").splitlines():
            m = _LOG_LINE.search(line)
            if m:
                out.append((m["method"], m["uri"], int(m["status"])))
        return out

    def wait_for_request(self, method: str, fragment: str, timeout: float = 10.0) -> None:
        """Poll the access log until a request shows up: the registry writes each line
        after it has answered, so the client can be ahead of the log by a moment."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(m == method and fragment in uri for m, uri, _ in self.requests()):
                return
            time.sleep(0.01)
        raise AssertionError(f"no {method} …{fragment}… in the registry's access log")

    def uploads(self) -> list[str]:
        """Digests of the blob uploads the registry completed (PUT …?digest=… → 201)."""
        found = []
        for method, uri, status in self.requests():
            m = re.search(r"[?&]digest=sha256(?:%3A|:)([0-9a-f]{64})", uri)
            if method == "PUT" and status == 201 and "/blobs/uploads/" in uri and m:
                found.append("sha256:" + m.group(1))
        return found

    def blob_data(self, digest: str) -> Path:
        hexd = digest.split(":", 1)[1]
        return self.data / "docker/registry/v2/blobs/sha256" / hexd[:2] / hexd / "data"

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_ready(reg: RunningRegistry, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if reg.proc.poll() is not None:
            raise RuntimeError(f"docker-registry exited {reg.proc.returncode}: {reg.error_log.read_text()[-2000:]}")
        conn = http.client.HTTPConnection("127.0.0.1", reg.port, timeout=2)
        try:
            conn.request("GET", "/v2/")
            if conn.getresponse().status in (200, 401):
                return
        except OSError:
            time.sleep(0.02)
        finally:
            conn.close()
    raise RuntimeError(f"docker-registry did not answer on {reg.address} within {timeout} s")


def start_registry(base: Path, protected: bool = False) -> RunningRegistry:
    """Start a registry; a free port can be taken by someone else before the registry binds
    it, so a start that fails that way is tried again on another port."""
    for attempt in range(3):
        try:
            return _start_registry(base / f"try{attempt}", protected)
        except _PortTaken:
            continue
    raise RuntimeError("docker-registry could not bind a free port in three tries")


class _PortTaken(RuntimeError):
    pass


def _start_registry(base: Path, protected: bool) -> RunningRegistry:
    binary = shutil.which("docker-registry")
    if binary is None:
        pytest.skip("docker-registry is not installed (apt-get install docker-registry)")
    base.mkdir(parents=True, exist_ok=True)
    auth = ""
    if protected:
        htpasswd = shutil.which("htpasswd")
        if htpasswd is None:
            pytest.skip("htpasswd is not installed (apt-get install apache2-utils)")
        # -B: bcrypt, the only hash distribution's htpasswd support accepts.
        subprocess.run([htpasswd, "-Bbc", str(base / "htpasswd"), USER, PASSWORD], check=True,
                       capture_output=True, timeout=30)
        auth = f"auth: {{htpasswd: {{realm: sandbox-tests, path: {base / 'htpasswd'}}}}}\n"
    port = _free_port()
    (base / "config.yml").write_text(
        "version: 0.1\n"
        "log: {level: warn, accesslog: {disabled: false}}\n"
        f"storage: {{filesystem: {{rootdirectory: {base / 'data'}}}, delete: {{enabled: true}}}}\n"
        f"http: {{addr: '127.0.0.1:{port}', secret: sandbox-tests}}\n" + auth)
    access, errors = base / "access.log", base / "registry.log"
    with open(access, "wb") as out, open(errors, "wb") as err:
        proc = subprocess.Popen([binary, "serve", str(base / "config.yml")], stdout=out, stderr=err,
                                stdin=subprocess.DEVNULL)
    reg = RunningRegistry(proc, port, base / "data", access, errors, protected)
    try:
        _wait_ready(reg)
    except BaseException:
        reg.stop()
        if "address already in use" in errors.read_text(errors="replace"):
            raise _PortTaken(reg.address) from None
        raise
    return reg


@pytest.fixture
def registry(tmp_path: Path) -> Iterator[RunningRegistry]:
    reg = start_registry(tmp_path / "registry")
    try:
        yield reg
    finally:
        reg.stop()


@pytest.fixture
def protected_registry(tmp_path: Path) -> Iterator[RunningRegistry]:
    # A directory of its own: a test may use both registries.
    reg = start_registry(tmp_path / "protected", protected=True)
    try:
        yield reg
    finally:
        reg.stop()


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "store", "copy")


@pytest.fixture
def busybox(store: Store, monkeypatch: pytest.MonkeyPatch) -> Image:
    if not (BUSYBOX.is_file() and is_static(BUSYBOX)):
        pytest.skip("busybox-static is not installed (apt-get install busybox-static)")
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    return bootstrap_busybox(store)


@pytest.fixture
def docker_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A DOCKER_CONFIG of the test's own, so no test reads or writes the user's."""
    path = tmp_path / "docker-config"
    monkeypatch.setenv("DOCKER_CONFIG", str(path))
    return path


def layer_tar(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for name, data in sorted(files.items()):
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(data), 0o644, 1_600_000_000
            tf.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def derived_image(store: Store, base: Image, tag: str, files: dict[str, bytes], gzip: bool = True) -> Image:
    """``base`` plus one layer holding ``files`` (gzip-compressed unless told otherwise)."""
    import gzip as gz

    data = layer_tar(files)
    parent: Layer | None = store.layer(base.top_layer) if base.top_layer else None
    layer = store.import_layer_tar(io.BytesIO(gz.compress(data, mtime=0) if gzip else data), parent=parent)
    layers = [store.layer(x) for x in base.layers] + [layer]
    config = ImageConfig.from_json(store.layout.read_blob(base.id))
    config.labels = {"derived": tag}
    return store.create_image(layers, config, [tag])


def random_image(store: Store, tag: str, size: int) -> Image:
    """A one-layer image whose layer is ``size`` random (incompressible) bytes in one file."""
    layer = store.import_layer_tar(io.BytesIO(layer_tar({"blob.bin": os.urandom(size)})))
    return store.create_image([layer], ImageConfig(cmd=["sh"]), [tag])
