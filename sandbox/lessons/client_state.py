"""ClientStateReader: the StateReader (and ResourceRemover) over an EngineClient.

It uses the client's typed methods where they exist and its generic ``call_json`` for the
rest (volumes, networks, the ``/sandbox/…`` pictures). Against an engine without the
``/sandbox/…`` endpoints — a real dockerd — namespaces are read from /proc and cgroup
numbers from the stats API instead, so the course can be checked against dockerd too.
"""

from __future__ import annotations

import io
import os
import subprocess
import tarfile
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sandbox.client import EngineClient, JSONStream
from sandbox.errors import EngineError, LessonError

from .state import ExecResult, FileRead, HttpResult, loopback_url

HOST_TIMEOUT = 120.0
HTTP_TIMEOUT = 5.0


def _missing(err: EngineError) -> bool:
    return err.status == 404


class ClientStateReader:
    def __init__(self, client: EngineClient, *, env: Mapping[str, str] | None = None) -> None:
        self.client = client
        self._env = env

    # -- objects -----------------------------------------------------------------------------

    def container(self, name: str) -> dict[str, Any] | None:
        try:
            return self.client.containers.inspect(name)
        except EngineError as err:
            if _missing(err):
                return None
            raise

    def containers(self) -> list[dict[str, Any]]:
        return self.client.containers.list(all=True)

    def logs(self, name: str) -> str:
        frames = self.client.containers.logs(name, follow=False)
        try:
            return b"".join(chunk for _, chunk in frames).decode("utf-8", "replace")
        finally:
            frames.close()

    def image(self, ref: str) -> dict[str, Any] | None:
        try:
            return self.client.images.inspect(ref)
        except EngineError as err:
            if _missing(err):
                return None
            raise

    def image_history(self, ref: str) -> list[dict[str, Any]]:
        return self.client.images.history(ref)

    def images(self) -> list[dict[str, Any]]:
        return self.client.images.list()

    def volume(self, name: str) -> dict[str, Any] | None:
        return self._maybe(f"/volumes/{quote(name, safe='')}")

    def volumes(self) -> list[dict[str, Any]]:
        return list((self._listing("/volumes") or {}).get("Volumes") or [])

    def network(self, name: str) -> dict[str, Any] | None:
        return self._maybe(f"/networks/{quote(name, safe='')}")

    def networks(self) -> list[dict[str, Any]]:
        return list(self._listing("/networks") or [])

    def _listing(self, path: str) -> Any:
        """A list endpoint. Its 404 can only mean the engine has no such API (yet): then it
        has none of these objects, and a snapshot of nothing is the truth."""
        try:
            return self.client.call_json("GET", path)
        except EngineError as err:
            if _missing(err):
                return None
            raise

    def _maybe(self, path: str) -> dict[str, Any] | None:
        try:
            doc: dict[str, Any] | None = self.client.call_json("GET", path)
            return doc
        except EngineError as err:
            if _missing(err):
                return None
            raise

    # -- inside containers -------------------------------------------------------------------

    def exec(self, container: str, argv: Sequence[str]) -> ExecResult:
        exec_id = str(self.client.exec.create(container, list(argv))["Id"])
        chunks: list[bytes] = []
        with self.client.exec.start(exec_id) as stream:
            for _, chunk in stream.output():
                chunks.append(chunk)
        # The engine sets the exit code before closing the stream; a slower one may lag.
        deadline = time.monotonic() + 5.0
        info = self.client.exec.inspect(exec_id)
        while info.get("Running") and time.monotonic() < deadline:
            time.sleep(0.02)
            info = self.client.exec.inspect(exec_id)
        code = info.get("ExitCode")
        return ExecResult(int(code) if code is not None else -1, b"".join(chunks).decode("utf-8", "replace"))

    def read_file(self, container: str, path: str) -> FileRead | None:
        try:
            data, _ = self.client.containers.get_archive(container, path)
        except EngineError as err:
            if _missing(err) and self.container(container) is not None:
                return None
            raise
        return _first_member(data)

    # -- outside ---------------------------------------------------------------------------------

    def http_get(self, url: str) -> HttpResult:
        loopback_url(url)
        # No proxies (an http_proxy must not see or answer loopback), and no redirects (a
        # loopback server must not be able to send the check to another machine).
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())
        try:
            with opener.open(url, timeout=HTTP_TIMEOUT) as response:
                return HttpResult(response.status, response.read(1 << 20))
        except urllib.error.HTTPError as err:
            return HttpResult(err.code, err.read(1 << 20))
        except (urllib.error.URLError, OSError) as err:
            reason = getattr(err, "reason", err)
            return HttpResult(0, error=str(reason))

    def run_host(self, command: str, cwd: Path | None = None) -> ExecResult:
        env = dict(os.environ if self._env is None else self._env)
        if str(self.client.address).startswith("unix://"):
            env["DOCKER_HOST"] = self.client.address
        try:
            done = subprocess.run(
                ["/bin/sh", "-c", command],
                cwd=cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                check=False,
                timeout=HOST_TIMEOUT,
            )
        except subprocess.TimeoutExpired as err:
            return ExecResult(124, (err.output or b"").decode("utf-8", "replace") + "\n(timed out)\n")
        return ExecResult(done.returncode, done.stdout.decode("utf-8", "replace"))

    # -- kernel views ------------------------------------------------------------------------------

    def namespaces(self, container: str) -> dict[str, Any]:
        doc = self._inspect(container)
        try:
            return self.client.call_json("GET", f"/sandbox/containers/{doc['Id']}/namespaces") or {}
        except EngineError as err:
            if not _missing(err):
                raise
        return _proc_namespaces(int((doc.get("State") or {}).get("Pid") or 0))

    def cgroup(self, container: str) -> dict[str, Any]:
        doc = self._inspect(container)
        try:
            return self.client.call_json("GET", f"/sandbox/containers/{doc['Id']}/cgroup") or {}
        except EngineError as err:
            if not _missing(err):
                raise
        stats = self.client.containers.stats(doc["Id"], stream=False, one_shot=True)
        return _cgroup_from_stats(doc, stats if isinstance(stats, dict) else {})

    def _inspect(self, container: str) -> dict[str, Any]:
        return self.client.containers.inspect(container)

    # -- events ------------------------------------------------------------------------------------

    def events(
        self, since: float, until: float, filters: Mapping[str, Sequence[str]] | None = None
    ) -> list[dict[str, Any]]:
        wanted = {k: list(v) for k, v in (filters or {}).items()}
        stream = self.client.events(since=since, until=until, filters=wanted or None)
        try:
            return list(stream)
        finally:
            stream.close()

    def subscribe(self) -> JSONStream:
        return self.client.events()

    # -- ResourceRemover ---------------------------------------------------------------------------

    def remove_container(self, container_id: str) -> None:
        self.client.containers.remove(container_id, force=True, v=True)

    def remove_image(self, ref: str, *, force: bool = False) -> None:
        self.client.images.remove(ref, force=force)

    def tag_image(self, image_id: str, ref: str) -> None:
        repo, tag = _split_ref(ref)
        self.client.images.tag(image_id, repo, tag)

    def remove_volume(self, name: str) -> None:
        self.client.call("DELETE", f"/volumes/{quote(name, safe='')}")

    def remove_network(self, network_id: str) -> None:
        self.client.call("DELETE", f"/networks/{quote(network_id, safe='')}")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A 3xx is the answer itself: the check sees its status, nothing is followed."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _split_ref(ref: str) -> tuple[str, str | None]:
    """``localhost:5000/app:1`` -> (``localhost:5000/app``, ``1``): the tag is after the
    last colon only if no slash follows it."""
    head, sep, tail = ref.rpartition(":")
    if sep and "/" not in tail:
        return head, tail
    return ref, None


def _first_member(data: bytes) -> FileRead | None:
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as tar:
        member = tar.next()
        if member is None:
            return None
        if member.isdir():
            return FileRead("dir", member.mode & 0o7777)
        if member.issym():
            return FileRead("symlink", member.mode & 0o7777, link_target=member.linkname)
        f = tar.extractfile(member)
        return FileRead("file", member.mode & 0o7777, f.read() if f is not None else b"")


NAMESPACES = ("pid", "net", "mnt", "uts", "ipc", "user", "cgroup")


def _proc_namespaces(pid: int) -> dict[str, Any]:
    """What the engine endpoint reports, read from /proc (same host, enough privilege)."""
    if pid <= 0:
        raise LessonError("the container has no process to read namespaces from", "start it first")

    def inodes(who: str) -> dict[str, int]:
        out: dict[str, int] = {}
        for ns in NAMESPACES:
            try:
                out[ns] = int(os.readlink(f"/proc/{who}/ns/{ns}").split("[", 1)[1].rstrip("]"))
            except FileNotFoundError:
                continue
            except PermissionError as err:
                raise LessonError(
                    f"cannot read /proc/{who}/ns/{ns}: permission denied",
                    "namespace checks against this engine need root",
                ) from err
        return out

    host, mine = inodes("self"), inodes(str(pid))
    return {"host": host, "container": mine, "shared": sorted(k for k in mine if host.get(k) == mine[k])}


def _cgroup_from_stats(doc: dict[str, Any], stats: dict[str, Any]) -> dict[str, Any]:
    """The ``stats`` half of the engine's cgroup picture from ``docker stats``' numbers."""
    host = doc.get("HostConfig") or {}
    memory = stats.get("memory_stats") or {}
    pids = stats.get("pids_stats") or {}
    limit = int(host.get("Memory") or 0) or None
    pids_limit = host.get("PidsLimit")
    return {
        "files": {},
        "stats": {
            "memory_usage": int(memory.get("usage") or 0),
            "memory_limit": limit,
            "oom_kills": int((memory.get("stats") or {}).get("oom_kill") or 0),
            "cpu_usage_ns": int(
                ((stats.get("cpu_stats") or {}).get("cpu_usage") or {}).get("total_usage") or 0
            ),
            "pids_current": int(pids.get("current") or 0),
            "pids_limit": pids_limit if pids_limit and pids_limit > 0 else None,
        },
    }
