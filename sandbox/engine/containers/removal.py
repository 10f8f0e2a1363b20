"""``docker rm`` and ``docker container prune``.

A forced removal of a live container kills it and waits until the exit watcher has
recorded the exit; then the runtime container, the read-write layer and the engine's
files go, the name is freed, and waiters for ``removed`` wake up.
"""

from __future__ import annotations

import logging
import signal
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TYPE_CHECKING, NoReturn

from sandbox.engine.containers import exits, lifecycle, networking
from sandbox.engine.containers import volumes as cvolumes
from sandbox.engine.containers.registry import Container
from sandbox.engine.containers.waiters import wait_result
from sandbox.errors import (
    ContainerConflict,
    ContainerLayerUnknown,
    ContainerServiceError,
    NoSuchContainer,
    SandboxError,
)

if TYPE_CHECKING:
    from sandbox.engine.containers.context import Engine

log = logging.getLogger(__name__)


def remove(eng: Engine, c: Container, force: bool = False, volumes: bool = False,
           waited_for_disk: bool = True) -> None:
    """Blocks while a forced removal waits for the container to die. ``volumes`` (``rm -v``)
    also removes its anonymous volumes; named volumes always stay.

    Without ``waited_for_disk`` (``--rm``, which a client waits for with ``wait
    condition=removed``) the container is gone for the API once its processes, cgroup and
    runtime state are: the waiters wake up before its layer and files leave the disk, which
    takes a few milliseconds more on a slow disk. A crash in between is safe: the record
    says the removal was under way, and restore finishes it."""
    with c.lock:
        s = c.rec.state
        if c.removed:
            raise NoSuchContainer(c.id)
        if s.removing:
            raise ContainerConflict(c.id, f"removal of container {c.id} is already in progress")
        if s.live and not force:
            state = "paused" if s.paused else "running"
            raise ContainerConflict(c.id, f'cannot remove container "{c.rec.name}": container is {state}: '
                                          "stop the container before removing or force remove",
                                    "use `docker rm -f`, or stop it first")
        s.removing = True
        c.rec.has_been_manually_stopped = True
        exits.cancel_restart(c)
        exited = c.waiters.next_exit() if s.live and c.watched else None
        if s.live:
            lifecycle.send_signal(eng, c, signal.SIGKILL, all_processes=True)
        elif s.running:  # waiting to restart: it simply stays down
            s.running = s.restarting = False
        eng.save(c)
    if exited is not None:
        try:
            exited.result(timeout=lifecycle.KILL_GRACE)
        except FutureTimeout:
            with c.lock:
                s.removing = False
                eng.save(c)
            raise ContainerServiceError(f"container {c.id} did not exit after SIGKILL; not removed",
                                        "its processes may be stuck in the kernel (D state)") from None
    finish(eng, c, volumes, waited_for_disk)


def mark_exited_for_removal(c: Container) -> None:
    """``--rm``: the exit watcher marks the exited container for removal before it saves the
    record (one write for both), then calls ``finish``. The caller holds ``c.lock``."""
    c.rec.state.removing = True
    c.rec.has_been_manually_stopped = True


def finish(eng: Engine, c: Container, volumes: bool, waited_for_disk: bool) -> None:
    """The removal of a container that is marked ``removing`` and no longer runs."""
    s = c.rec.state
    with c.lock:
        try:
            lifecycle.discard_runtime(eng, c)
            networking.release(eng, c.id)
        except (SandboxError, OSError) as e:
            _failed(eng, c, e)
        s.running = s.paused = False
        if not waited_for_disk:
            _forget(eng, c, volumes)
        try:
            _remove_files(eng, c)
        except (SandboxError, OSError) as e:
            if not waited_for_disk:
                # Gone for the API already; the record on disk still says "removing", and the
                # engine's next start finishes the removal.
                log.warning("container %s: its files stay until the engine's next start: %s", c.id, e)
            else:
                _failed(eng, c, e)
        if waited_for_disk:
            _forget(eng, c, volumes)


def _remove_files(eng: Engine, c: Container) -> None:
    try:
        eng.store.remove_container_layer(c.id)
    except ContainerLayerUnknown:
        pass
    eng.files.remove(c.id)


def _failed(eng: Engine, c: Container, e: SandboxError | OSError) -> NoReturn:
    s = c.rec.state
    s.removing = False
    s.dead = True
    s.error = f"removal failed: {e}"
    eng.save(c)
    raise ContainerServiceError(f"could not remove container {c.id}: {e}",
                                "try again; see the engine's log") from e


def _forget(eng: Engine, c: Container, volumes: bool) -> None:
    """The container no longer exists for the API: not listed, its name free, ``destroy``
    sent; then waiters for ``removed`` wake up (a client that saw its wait end sees the
    event too)."""
    s = c.rec.state
    eng.registry.discard(c)
    eng.execs.forget_container(c.id)
    c.removed = True
    if volumes:
        # After the registry forgot it: a volume only this container used has no users now.
        cvolumes.remove_anonymous(eng, c.rec)
    eng.event(c, "destroy")
    c.waiters.removed(wait_result(s.exit_code, s.error))
