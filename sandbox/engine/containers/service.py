"""``ContainerService``: the part of the engine that owns containers, with one method per
Docker API call. Dicts in, dicts out (the JSON bodies), ``sandbox.errors`` exceptions out.

    svc = ContainerService(settings, store, runtime, emit)   # optional: volumes=, networks=
    svc.restore()                                   # at daemon start
    cid = svc.create({"Image": "busybox", "Cmd": ["sh", "-c", "exit 3"]}, "web")["Id"]
    svc.start("web"); svc.wait("web")               # {"StatusCode": 3, "Error": None}

Blocking methods (call them from a thread, ``asyncio.to_thread``): ``stop``, ``restart``,
``remove`` with force on a live container, ``wait``, ``kill``/``start``/``create`` (they
fork), ``exec_start``, ``stats``, ``export``, ``archive_*``, and iterating ``logs(follow)``.
``wait_future`` and ``wait_async`` register at once and complete at the exit.
The HTTP status of an error follows its class (see the block at the end of sandbox/errors.py);
``ContainerNotModified`` is the route's 304.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TYPE_CHECKING, Any, BinaryIO

from sandbox.config import Settings
from sandbox.engine.containers import (
    archive,
    attach,
    creation,
    edit,
    execrun,
    exits,
    inspectfs,
    lifecycle,
    logs,
    networking,
    removal,
    restore,
    shapes,
    stats,
    top,
)
from sandbox.engine.containers import filters as cfilters
from sandbox.engine.containers import volumes as cvolumes
from sandbox.engine.containers.context import Emit, Engine
from sandbox.engine.containers.execs import ExecSession
from sandbox.engine.containers.registry import Container
from sandbox.engine.containers.timefmt import parse_timestamp
from sandbox.engine.containers.waiters import WaitResult, done, wait_result
from sandbox.errors import ContainerLayerUnknown, ImageUnknown, InvalidParameter, SandboxError, StorageError

if TYPE_CHECKING:
    from sandbox.engine.volumes import VolumeService
    from sandbox.network import NetworkManager
    from sandbox.runtime.runtime import Runtime
    from sandbox.storage import Store

WAIT_CONDITIONS = ("not-running", "next-exit", "removed")


class ContainerService:
    def __init__(self, settings: Settings, store: Store, runtime: Runtime, emit: Emit, *,
                 clock: Callable[[], float] = time.time, volumes: VolumeService | None = None,
                 networks: NetworkManager | None = None) -> None:
        """``volumes`` and ``networks`` turn on real mounts and networking; without them
        Binds, Mounts, Tmpfs and PortBindings only warn, and every container has only lo."""
        self.eng = Engine(settings=settings, store=store, runtime=runtime, emit=emit, clock=clock,
                          volumes=volumes, networks=networks)
        if volumes is not None:
            # A volume is in use while a container's record mounts it (running or not).
            volumes.users = self.volume_users

    # -- the daemon's life ------------------------------------------------------------------

    def restore(self) -> list[str]:
        """Re-read every record and re-adopt what still runs (see ``restore``). Returns problems.
        The network manager restores first: bridges back, dead endpoints dropped, the ports
        of the containers still running listening again."""
        problems: list[str] = []
        if self.eng.networks is not None:
            report = self.eng.networks.restore()
            problems += [f"port {b.describe()} of container {b.container_id[:12]}: {why}"
                         for b, why in report.ports_failed if why != "the container has no endpoint any more"]
        return problems + restore.restore(self.eng)

    def close(self) -> None:
        """Stop watching and restarting; containers keep running (the next engine re-adopts them)."""
        self.eng.closed = True
        for c in self.eng.registry.all():
            with c.lock:
                exits.cancel_restart(c)
        # Shims whose exits were answered may still be ending: none outlives the engine.
        self.eng.runtime.reap_ending()
        self.eng.runtime.close()

    def get(self, ref: str) -> Container:
        return self.eng.registry.get(ref)

    def resolve(self, ref: str) -> str:
        """A name, id prefix or id -> the full id."""
        return self.get(ref).id

    # -- lifecycle --------------------------------------------------------------------------

    def create(self, body: Any, name: str | None = None) -> dict[str, Any]:
        return creation.create(self.eng, body, name)

    def start(self, ref: str) -> None:
        lifecycle.start(self.eng, self.get(ref))

    def stop(self, ref: str, t: int | None = None, signal: str | None = None) -> None:
        lifecycle.stop(self.eng, self.get(ref), t, signal)

    def kill(self, ref: str, signal: str | int | None = "KILL") -> None:
        lifecycle.kill(self.eng, self.get(ref), signal)

    def restart(self, ref: str, t: int | None = None) -> None:
        lifecycle.restart(self.eng, self.get(ref), t)

    def pause(self, ref: str) -> None:
        lifecycle.pause(self.eng, self.get(ref))

    def unpause(self, ref: str) -> None:
        lifecycle.unpause(self.eng, self.get(ref))

    def remove(self, ref: str, force: bool = False, volumes: bool = False) -> None:
        """``volumes`` (``rm -v``): also its anonymous volumes; named ones always stay."""
        removal.remove(self.eng, self.get(ref), force, volumes)

    def rename(self, ref: str, new_name: str) -> None:
        edit.rename(self.eng, self.get(ref), new_name)

    def update(self, ref: str, body: Any) -> dict[str, Any]:
        return edit.update(self.eng, self.get(ref), body)

    def resize(self, ref: str, height: int, width: int) -> None:
        edit.resize(self.eng, self.get(ref), height, width)

    # -- waiting ----------------------------------------------------------------------------

    def wait_future(self, ref: str, condition: str | None = None) -> Future[WaitResult]:
        """Registered now, completed at the exit (or removal): register before answering."""
        condition = condition or "not-running"
        if condition not in WAIT_CONDITIONS:
            raise InvalidParameter(f"invalid condition: {condition!r}", "condition",
                                   f"use one of: {', '.join(WAIT_CONDITIONS)}")
        c = self.get(ref)
        with c.lock:
            s = c.rec.state
            if condition == "removed":
                return done(wait_result(s.exit_code, s.error)) if c.removed else c.waiters.removal()
            if condition == "not-running" and not s.running:
                return done(wait_result(s.exit_code, s.error))
            return c.waiters.next_exit()

    def wait(self, ref: str, condition: str | None = None, timeout: float | None = None) -> WaitResult:
        """Blocks until the condition holds; ``TimeoutError`` after ``timeout`` seconds."""
        fut = self.wait_future(ref, condition)
        try:
            return fut.result(timeout)
        except FutureTimeout:
            fut.cancel()
            raise TimeoutError(f"container {ref} did not reach {condition or 'not-running'} "
                               f"within {timeout} s") from None

    async def wait_async(self, ref: str, condition: str | None = None) -> WaitResult:
        fut = self.wait_future(ref, condition)
        try:
            return await asyncio.wrap_future(fut)
        finally:
            fut.cancel()  # a no-op once done; frees the slot if the client went away

    # -- looking at containers --------------------------------------------------------------

    def inspect(self, ref: str, size: bool = False) -> dict[str, Any]:
        c = self.get(ref)
        with c.lock:
            try:
                layout = self.eng.store.container_rootfs(c.id)
            except ContainerLayerUnknown:
                layout = None
            sizes = inspectfs.sizes(self.eng, c) if size else None
            return shapes.inspect(c.rec, layout, self.eng.execs.ids_of(c.id), sizes,
                                  net=networking.settings(self.eng, c.rec),
                                  mounts=cvolumes.inspect_mounts(c.rec))

    def list(self, all: bool = False, filters: Any = None, limit: int | None = None,
             size: bool = False) -> list[dict[str, Any]]:
        """``docker ps``: newest first; stopped ones with ``all``, a status filter or a limit."""
        eng = self.eng
        f = cfilters.ListFilter.compile(filters, lambda ref: self.get(ref).rec.created, self._image_id)
        show_all = all or f.shows_stopped or bool(limit and limit > 0)
        now = eng.clock()
        out: list[tuple[float, dict[str, Any]]] = []
        for c in eng.registry.all():
            with c.lock:
                if c.removed or (not show_all and not c.rec.state.running) or not f.match(c.rec):
                    continue
                sizes = inspectfs.sizes(eng, c) if size else None
                out.append((c.rec.created, shapes.summary(c.rec, c.rec.config.get("Image") or c.rec.image_id,
                                                          now, sizes, net=networking.summary(eng, c.rec),
                                                          mounts=cvolumes.inspect_mounts(c.rec))))
        out.sort(key=lambda x: x[0], reverse=True)
        items = [x[1] for x in out]
        return items[:limit] if limit and limit > 0 else items

    def _image_id(self, ref: str) -> str | None:
        try:
            return self.eng.store.image(ref).id
        except (ImageUnknown, StorageError):
            return None

    def prune(self, filters: Any = None) -> dict[str, Any]:
        """Remove every stopped container (that matches ``until`` / ``label`` / ``label!``)."""
        raw = _prune_filters(filters)
        eng = self.eng
        until = [parse_timestamp(v, eng.clock()) for v in raw.get("until", [])]
        deleted: list[str] = []
        reclaimed = 0
        for c in eng.registry.all():
            with c.lock:
                rec = c.rec
                if rec.state.running or rec.state.removing or c.removed:
                    continue
                labels = rec.config.get("Labels") or {}
                if until and not all(rec.created < u for u in until if u is not None):
                    continue
                if raw.get("label") and not cfilters.labels_match(raw["label"], labels):
                    continue
                if raw.get("label!") and any(cfilters.labels_match([x], labels) for x in raw["label!"]):
                    continue
                size = inspectfs.sizes(eng, c)[0]
            try:
                removal.remove(eng, c)
            except SandboxError:
                continue  # it started meanwhile, or is being removed by someone else
            deleted.append(c.id)
            reclaimed += size
        return {"ContainersDeleted": deleted or None, "SpaceReclaimed": reclaimed}

    # -- volumes and networks ---------------------------------------------------------------

    def volume_users(self, name: str) -> list[str]:
        """Ids of the containers whose mounts use volume ``name``."""
        return cvolumes.users(self.eng, name)

    def connect_network(self, ref: str, network: str, endpoint: dict[str, Any] | None = None) -> None:
        """``docker network connect``: at once if it runs, and at every later start."""
        self._need_networks()
        networking.connect(self.eng, self.get(ref), network, endpoint)

    def disconnect_network(self, ref: str, network: str, force: bool = False) -> None:
        self._need_networks()
        networking.disconnect(self.eng, self.get(ref), network, force)

    def _need_networks(self) -> None:
        if self.eng.networks is None:
            raise InvalidParameter("this engine runs without networks: every container has only lo",
                                   "network", "start the engine with its network manager")

    # -- stdio ------------------------------------------------------------------------------

    def attach(self, ref: str, stdin: bool = False, stdout: bool = True, stderr: bool = True,
               stream: bool = True, logs: bool = False) -> attach.Attachment:
        return attach.attach(self.eng, self.get(ref), stdin, stdout, stderr, stream, logs)

    def logs(self, ref: str, follow: bool = False, stdout: bool = True, stderr: bool = True,
             since: str | float | None = None, until: str | float | None = None, timestamps: bool = False,
             tail: str | int | None = None) -> Iterator[tuple[int, bytes, str]]:
        """(stream 1|2, payload, RFC 3339 time) per logged chunk; with ``timestamps`` the
        payload starts with the time and a space. Following ends when the container stops."""
        c = self.get(ref)
        now = self.eng.clock()
        # 0 means "not set", as clients send it for an absent since/until.
        q = logs.LogQuery(stdout=stdout, stderr=stderr, since=parse_timestamp(since or None, now) or None,
                          until=parse_timestamp(until or None, now) or None, timestamps=timestamps,
                          tail=logs.parse_tail(tail))

        def running() -> bool:
            return c.rec.state.running and not c.removed

        return logs.read(c.rec.log_path, q, follow=follow, still_running=running)

    # -- exec -------------------------------------------------------------------------------

    def exec_create(self, ref: str, body: Any) -> dict[str, str]:
        return execrun.create(self.eng, self.get(ref), body)

    def exec_start(self, exec_id: str, detach: bool = False, tty: bool | None = None) -> ExecSession:
        return execrun.start(self.eng, self.eng.execs.claim(exec_id), detach, tty)

    def exec_inspect(self, exec_id: str) -> dict[str, Any]:
        return self.eng.execs.get(exec_id).inspect()

    def exec_resize(self, exec_id: str, height: int, width: int) -> None:
        execrun.resize(self.eng, self.eng.execs.get(exec_id), height, width)

    # -- introspection ----------------------------------------------------------------------

    def top(self, ref: str, ps_args: str | None = None) -> dict[str, Any]:
        return top.top(self.eng, self.get(ref), ps_args)

    def stats(self, ref: str, stream: bool = False, one_shot: bool = False,
              interval: float = 1.0) -> Iterator[dict[str, Any]]:
        """One sample (``stream=False``) or one per ``interval`` until the container stops."""
        return stats.stats(self.eng, self.get(ref), stream, one_shot, interval)

    def changes(self, ref: str) -> list[dict[str, Any]]:
        return inspectfs.changes(self.eng, self.get(ref))

    def export(self, ref: str) -> BinaryIO:
        """A tar of the container's merged filesystem, in a temporary file at offset 0."""
        return archive.export(self.eng, self.get(ref))

    def archive_stat(self, ref: str, path: str) -> dict[str, Any]:
        """What ``X-Docker-Container-Path-Stat`` carries (base64 of its JSON)."""
        return archive.stat_path(self.eng, self.get(ref), path)

    def archive_get(self, ref: str, path: str) -> tuple[dict[str, Any], BinaryIO]:
        return archive.get(self.eng, self.get(ref), path)

    def archive_put(self, ref: str, path: str, tar: BinaryIO | bytes,
                    no_overwrite_dir_non_dir: bool = False) -> None:
        archive.put(self.eng, self.get(ref), path, tar, no_overwrite_dir_non_dir)


def _prune_filters(raw: Any) -> dict[str, list[str]]:
    out = cfilters.normalize(raw)
    cfilters.check_keys(out, cfilters.PRUNE_KEYS)
    return out
