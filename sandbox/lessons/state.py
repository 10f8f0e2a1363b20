"""What checks may read, and what a reset may remove: two small protocols.

Checks never parse our CLI's output; they read the engine's own answers (Docker inspect
documents, the archive API, exec, events). Keeping those reads behind ``StateReader`` lets
the checks run against the real engine (``ClientStateReader``), a real dockerd, or the
in-memory fake in ``sandbox.lessons.testing`` without knowing which.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from sandbox.errors import HostRefused

JSON = dict[str, Any]


@dataclass(frozen=True)
class FileRead:
    """A path inside a container, as the archive API reports it."""

    kind: str
    """``file``, ``dir`` or ``symlink``."""
    mode: int
    """Permission bits only (0o644)."""
    content: bytes = b""
    """The bytes of a regular file; empty for the others."""
    link_target: str = ""


@dataclass(frozen=True)
class HttpResult:
    """A GET: the status and body, or ``error`` (connection refused, timeout) with status 0."""

    status: int
    body: bytes = b""
    error: str = ""


@dataclass(frozen=True)
class ExecResult:
    code: int
    output: str


class EventStream(Protocol):
    """Live engine events (Docker's format) until closed."""

    def __iter__(self) -> Iterator[JSON]: ...

    def close(self) -> None: ...


class StateReader(Protocol):
    """Every read a check (and a reset's snapshot) needs. ``None`` means "no such object"."""

    def container(self, name: str) -> JSON | None:
        """``GET /containers/{name}/json``."""

    def containers(self) -> list[JSON]:
        """``GET /containers/json?all=1``: summaries of every container."""

    def logs(self, name: str) -> str:
        """Everything the container wrote to stdout and stderr so far."""

    def image(self, ref: str) -> JSON | None: ...

    def image_history(self, ref: str) -> list[JSON]: ...

    def images(self) -> list[JSON]: ...

    def volume(self, name: str) -> JSON | None: ...

    def volumes(self) -> list[JSON]: ...

    def network(self, name: str) -> JSON | None: ...

    def networks(self) -> list[JSON]: ...

    def exec(self, container: str, argv: Sequence[str]) -> ExecResult:
        """Run ``argv`` in a running container and wait for it."""

    def read_file(self, container: str, path: str) -> FileRead | None:
        """A path in the container's filesystem (running or not), through the archive API."""

    def http_get(self, url: str) -> HttpResult:
        """A GET on a loopback address; any other host raises HostRefused."""

    def run_host(self, command: str, cwd: Path | None = None) -> ExecResult:
        """``/bin/sh -c command`` on the host, with DOCKER_HOST pointing at this engine."""

    def namespaces(self, container: str) -> JSON:
        """``{"host": {type: inode}, "container": {type: inode}, …}``."""

    def cgroup(self, container: str) -> JSON:
        """``{"files": {name: value}, "stats": {memory_limit, memory_usage, pids_limit, …}}``."""

    def events(
        self, since: float, until: float, filters: Mapping[str, Sequence[str]] | None = None
    ) -> list[JSON]:
        """Past events in ``[since, until]`` (seconds since the epoch)."""

    def subscribe(self) -> EventStream:
        """Events as they happen, for re-checking a step when the engine changes."""


class ResourceRemover(Protocol):
    """What a reset does to objects the lesson made (and only to those)."""

    def remove_container(self, container_id: str) -> None: ...

    def remove_image(self, ref: str, *, force: bool = False) -> None: ...

    def tag_image(self, image_id: str, ref: str) -> None: ...

    def remove_volume(self, name: str) -> None: ...

    def remove_network(self, network_id: str) -> None: ...


def loopback_url(url: str) -> str:
    """``url`` if it is http(s) on a loopback host; HostRefused otherwise.

    Lessons run as root on a learner's machine and may be imported from elsewhere, so a
    check must never be a way to make requests to other machines.
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host:
        raise HostRefused(url, host or "(no host)")
    if host == "localhost":
        return url
    try:
        if ipaddress.ip_address(host).is_loopback:
            return url
    except ValueError:
        pass
    raise HostRefused(url, host)
