"""FakeState: the StateReader and ResourceRemover protocols over a FakeWorld.

Host commands (command checks, Killercoda verify scripts, shell lines of a lesson) really
run in /bin/sh, with a stub ``docker`` first on PATH that acts on the same world — so a
verify script is tested as the shell script it is.
"""

from __future__ import annotations

import os
import queue
import shlex
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from sandbox.errors import EngineError

from ..state import ExecResult, FileRead, HttpResult, loopback_url
from . import programs
from .docker import FakeDocker
from .world import FakeWorld


class FakeEvents:
    """A live subscription: every event the world emits from now on, until closed."""

    def __init__(self, world: FakeWorld) -> None:
        self._world = world
        self._queue: queue.Queue[dict[str, Any] | None] = queue.Queue()
        world.subscribers.append(self._queue)
        self.closed = False

    def __iter__(self) -> Iterator[dict[str, Any]]:
        while not self.closed:
            event = self._queue.get()
            if event is None:
                return
            yield event

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self._queue.put(None)
            if self._queue in self._world.subscribers:
                self._world.subscribers.remove(self._queue)


class FakeState:
    def __init__(self, world: FakeWorld | None = None, *, workdir: Path | None = None) -> None:
        self.world = world if world is not None else FakeWorld.with_base_images()
        self.docker = FakeDocker(self.world, shell=self.shell)
        self.http: dict[str, HttpResult] = {}
        """Canned answers for http_get, by URL."""
        self.host_results: dict[str, tuple[int, str]] = {}
        """Canned answers for run_host, by exact command line (checked before running sh)."""
        self.host_commands: list[str] = []
        self.reads: list[str] = []
        """Every read, as ``kind name`` (tests assert what a check looked at)."""
        self._workdir = workdir

    # -- StateReader ---------------------------------------------------------------------------

    def container(self, name: str) -> dict[str, Any] | None:
        self.reads.append(f"container {name}")
        c = self.world.find_container(name)
        return None if c is None else self.world.container_doc(c)

    def containers(self) -> list[dict[str, Any]]:
        return [self.world.container_summary(c) for c in self.world.containers.values()]

    def logs(self, name: str) -> str:
        c = self.world.find_container(name)
        if c is None:
            raise EngineError(404, f"No such container: {name}")
        return c.logs

    def image(self, ref: str) -> dict[str, Any] | None:
        self.reads.append(f"image {ref}")
        image = self.world.find_image(ref)
        return None if image is None else self.world.image_doc(image)

    def image_history(self, ref: str) -> list[dict[str, Any]]:
        image = self.world.find_image(ref)
        if image is None:
            raise EngineError(404, f"No such image: {ref}")
        return self.world.history(image)

    def images(self) -> list[dict[str, Any]]:
        return [self.world.image_summary(i) for i in self.world.images.values()]

    def volume(self, name: str) -> dict[str, Any] | None:
        self.reads.append(f"volume {name}")
        doc = self.world.volumes.get(name)
        return None if doc is None else {k: v for k, v in doc.items() if k != "anonymous"}

    def volumes(self) -> list[dict[str, Any]]:
        return [{k: v for k, v in d.items() if k != "anonymous"} for d in self.world.volumes.values()]

    def network(self, name: str) -> dict[str, Any] | None:
        self.reads.append(f"network {name}")
        net = self.world.find_network(name)
        if net is None:
            return None
        members = {
            c.id: {"Name": c.name} for c in self.world.containers.values() if net["Name"] in c.networks
        }
        return {**net, "Containers": members}

    def networks(self) -> list[dict[str, Any]]:
        return [dict(n) for n in self.world.networks.values()]

    def exec(self, container: str, argv: Sequence[str]) -> ExecResult:
        c = self.world.find_container(container)
        if c is None:
            raise EngineError(404, f"No such container: {container}")
        if c.status != "running":
            raise EngineError(409, f"container {c.id} is not running")
        result = programs.run(list(argv), c)
        return ExecResult(result.code, result.output)

    def read_file(self, container: str, path: str) -> FileRead | None:
        c = self.world.find_container(container)
        if c is None:
            raise EngineError(404, f"No such container: {container}")
        entry = c.files.get(path)
        if entry is None:
            return None
        kind, mode, text = entry
        return FileRead(kind, int(mode), str(text).encode() if kind == "file" else b"")

    def http_get(self, url: str) -> HttpResult:
        loopback_url(url)
        return self.http.get(url, HttpResult(0, error="connection refused"))

    def run_host(self, command: str, cwd: Path | None = None) -> ExecResult:
        code, output = self.shell(command, cwd)
        return ExecResult(code, output)

    def namespaces(self, container: str) -> dict[str, Any]:
        c = self._running(container)
        return self.world.namespaces(c)

    def cgroup(self, container: str) -> dict[str, Any]:
        c = self._running(container)
        return self.world.cgroup(c)

    def events(
        self, since: float, until: float, filters: Mapping[str, Sequence[str]] | None = None
    ) -> list[dict[str, Any]]:
        types = set((filters or {}).get("type", []))
        return [
            e
            for e in self.world.events
            if since <= e["timeNano"] / 1e9 <= until and (not types or e["Type"] in types)
        ]

    def subscribe(self) -> FakeEvents:
        return FakeEvents(self.world)

    def _running(self, container: str) -> Any:
        c = self.world.find_container(container)
        if c is None:
            raise EngineError(404, f"No such container: {container}")
        if not c.running:
            raise EngineError(409, f"container {c.id} is not running")
        return c

    # -- ResourceRemover --------------------------------------------------------------------------

    def _docker(self, argv: list[str]) -> None:
        code, output = self.docker.run_argv(argv)
        if code != 0:
            status = 404 if ("No such" in output or "not found" in output or "no such" in output) else 409
            raise EngineError(status, output.strip().removeprefix("Error response from daemon: "))

    def remove_container(self, container_id: str) -> None:
        self._docker(["rm", "-f", "-v", container_id])

    def remove_image(self, ref: str, *, force: bool = False) -> None:
        self._docker(["rmi", *(["-f"] if force else []), ref])

    def tag_image(self, image_id: str, ref: str) -> None:
        self._docker(["tag", image_id, ref])

    def remove_volume(self, name: str) -> None:
        self._docker(["volume", "rm", name])

    def remove_network(self, network_id: str) -> None:
        self._docker(["network", "rm", network_id])

    def runner(self, cwd: Path | None = None) -> FakeDocker:
        """A fake ``run_command`` whose shell lines run in ``cwd`` (a lesson's folder)."""
        return FakeDocker(self.world, shell=lambda line: self.shell(line, cwd))

    # -- the host shell, with the stub docker ----------------------------------------------------

    def shell(self, line: str, cwd: Path | None = None) -> tuple[int, str]:
        self.host_commands.append(line)
        if line in self.host_results:
            return self.host_results[line]
        with tempfile.TemporaryDirectory(prefix="fake-docker-") as tmp:
            stub_dir = Path(tmp)
            world_file = stub_dir / "world.json"
            self.world.save(world_file)
            stub = stub_dir / "docker"
            stub.write_text(
                f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m sandbox.lessons.testing.stubcli "$@"\n'
            )
            stub.chmod(0o755)
            env = {
                **os.environ,
                "PATH": f"{stub_dir}{os.pathsep}{os.environ.get('PATH', os.defpath)}",
                "FAKE_DOCKER_WORLD": str(world_file),
            }
            env["PYTHONPATH"] = os.pathsep.join(p for p in (_project_root(), env.get("PYTHONPATH")) if p)
            done = subprocess.run(
                ["/bin/sh", "-c", line],
                cwd=cwd or self._workdir,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                check=False,
                timeout=60,
            )
            self.world.replace_with(FakeWorld.load(world_file))
        return done.returncode, done.stdout.decode("utf-8", "replace")


def _project_root() -> str:
    return str(Path(__file__).resolve().parents[3])
