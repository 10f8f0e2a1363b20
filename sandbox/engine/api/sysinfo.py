"""Facts about this host and this engine for ``/version`` and ``/info``.

Each reader takes its source path so tests can hand it a file; none runs at import.
"""

from __future__ import annotations

import logging
import os
import platform
import socket
import time
import uuid
from pathlib import Path

from sandbox import __version__
from sandbox.errors import CgroupError
from sandbox.runtime.cgroups.mode import CgroupMode, detect_mode
from sandbox.storage.importer import host_arch

log = logging.getLogger("sandbox.engine.api")

_PACKAGE = Path(__file__).resolve().parents[2]
"""The ``sandbox`` package directory; its parent is the source checkout, if any."""


def kernel_version() -> str:
    return os.uname().release


def os_release(path: Path = Path("/etc/os-release")) -> dict[str, str]:
    try:
        text = path.read_text()
    except OSError:
        return {}
    out = {}
    for line in text.splitlines():
        key, eq, value = line.partition("=")
        if eq:
            out[key.strip()] = value.strip().strip('"')
    return out


def mem_total(path: Path = Path("/proc/meminfo")) -> int:
    """Bytes of RAM (MemTotal is in KiB)."""
    try:
        for line in path.read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError) as e:
        log.warning("cannot read MemTotal from %s: %s", path, e)
    return 0


def cgroup_version(mountinfo: str | None = None) -> str:
    """``"2"`` on a unified host; ``"1"`` on v1 and hybrid (the controllers are on v1)."""
    try:
        return "2" if detect_mode(mountinfo) is CgroupMode.V2 else "1"
    except CgroupError as e:
        log.warning("cgroup version unknown: %s", e.message)
        return ""


def engine_id(root: Path) -> str:
    """A stable id for this engine's state, made on first use (dockerd keeps one too)."""
    path = root / "engine-id"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    value = str(uuid.uuid4())
    root.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(".engine-id.tmp")
    tmp.write_text(value + "\n")
    os.replace(tmp, path)
    return value


def git_commit(repo: Path = _PACKAGE.parent) -> str:
    """The short commit of a source checkout, read from .git without running git."""
    git = repo / ".git"
    try:
        head = (git / "HEAD").read_text().strip()
        if head.startswith("ref: "):
            ref = head[5:]
            ref_file = git / ref
            if ref_file.is_file():
                head = ref_file.read_text().strip()
            else:
                packed = (git / "packed-refs").read_text().splitlines()
                head = next(line.split()[0] for line in packed if line.endswith(" " + ref))
        return head[:7]
    except (OSError, StopIteration):
        return "unknown"


def build_time(package: Path = _PACKAGE) -> str:
    """When this code was installed or last changed (the mtime of the package)."""
    try:
        mtime = (package / "__init__.py").stat().st_mtime
    except OSError:
        return ""
    return time.strftime("%Y-%m-%dT%H:%M:%S.000000000Z", time.gmtime(mtime))


def version_doc() -> dict[str, object]:
    """``GET /version``: enough for ``docker version`` to print every line sensibly."""
    from sandbox.engine.http.version import API_VERSION, MIN_API_VERSION

    details = {
        "ApiVersion": API_VERSION, "MinAPIVersion": MIN_API_VERSION, "GitCommit": git_commit(),
        "GoVersion": f"python{platform.python_version()}", "Os": "linux", "Arch": host_arch(),
        "KernelVersion": kernel_version(), "BuildTime": build_time(), "Experimental": "false",
    }
    return {
        "Platform": {"Name": "sandbox engine"},
        "Components": [{"Name": "Engine", "Version": __version__, "Details": details}],
        "Version": __version__, "ApiVersion": API_VERSION, "MinAPIVersion": MIN_API_VERSION,
        "GitCommit": details["GitCommit"], "GoVersion": details["GoVersion"], "Os": "linux",
        "Arch": host_arch(), "KernelVersion": kernel_version(), "BuildTime": details["BuildTime"],
    }


def hostname() -> str:
    return socket.gethostname()


def open_fds() -> int:
    try:
        return len(os.listdir("/proc/self/fd"))
    except OSError:
        return 0
