"""start, stop, kill, pause, unpause, restart: the container's state machine over the runtime.

Every function takes the container's lock for its checks and changes and lets go of it
before waiting for an exit, because the exit watcher needs the lock to record that exit.
``prepare`` makes the runtime container early (its init waits for ``start``) so a client can
attach before the container runs, as ``docker run`` does.
"""

from __future__ import annotations

import signal
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TYPE_CHECKING, Any

from sandbox.engine.containers import exits, networking, pidns, translate
from sandbox.engine.containers import volumes as cvolumes
from sandbox.engine.containers.registry import Container
from sandbox.engine.containers.rootfs import read_file, runtime_rootfs
from sandbox.engine.containers.signals import parse_signal
from sandbox.engine.containers.waiters import wait_result
from sandbox.engine.specgen import NoCommand, UserUnknown, build
from sandbox.errors import (
    ContainerConflict,
    ContainerNotFound,
    ContainerNotModified,
    ContainerServiceError,
    InvalidParameter,
    NetworkError,
    ResourceError,
    SandboxError,
    SpecError,
    StateError,
)

if TYPE_CHECKING:
    from pathlib import Path

    from sandbox.engine.containers.context import Engine
    from sandbox.engine.specgen import RunOptions
    from sandbox.runtime.spec import Overlay, Spec
    from sandbox.storage import Image, RootfsLayout

    SpecInputs = tuple[dict[str, Any], RunOptions, Overlay | Path]
    """What ``specgen.build`` makes a spec of: the spec is a function of these alone."""

DEFAULT_STOP_TIMEOUT = 10
KILL_GRACE = 30.0
"""Seconds to wait for an exit after SIGKILL before calling the container stuck."""


def _spec_inputs(eng: Engine, c: Container, check_only: bool, image: Image | None = None,
                 layout: RootfsLayout | None = None) -> SpecInputs:
    """``image`` and ``layout``: the container's, when the caller has them at hand (create)."""
    rec = c.rec
    ns = networking.namespace(eng, rec, check_only)
    if layout is None:
        layout = eng.store.container_rootfs(rec.id)
    files = {"hostname": rec.hostname_path, "hosts": rec.hosts_path, "resolv.conf": rec.resolv_conf_path}
    source = image if image is not None else rec.image_id
    passwd = read_file(eng.store, layout, source, "etc/passwd")
    group = read_file(eng.store, layout, source, "etc/group")
    opts = translate.run_options(rec.config, rec.host_config, files, passwd, group,
                                 extra_mounts=cvolumes.oci_mounts(rec), netns=ns.netns, host_network=ns.host,
                                 pidns=pidns.namespace(eng, rec, check_only))
    return translate.spec_image_config(rec.config), opts, runtime_rootfs(layout)


def _build(inputs: SpecInputs) -> Spec:
    try:
        return build(*inputs)
    except (UserUnknown, NoCommand, SpecError) as e:
        raise InvalidParameter(e.message, "Config", e.hint) from e


def build_spec(eng: Engine, c: Container, check_only: bool = False) -> Spec:
    """The runtime spec of a container, from its record (re-made at every start, so limits
    changed by ``update`` and users added in an earlier run take effect). ``check_only``: made
    at create to refuse early, never run (a ``container:X`` to join need not run yet)."""
    return _build(_spec_inputs(eng, c, check_only))


def check_spec(eng: Engine, c: Container, image: Image, layout: RootfsLayout) -> None:
    """At create: refuse now what start would refuse (an unknown user …), and keep the spec
    for the first ``prepare``, which uses it if it would build the very same one."""
    inputs = _spec_inputs(eng, c, True, image, layout)
    c.checked_spec = (inputs, _build(inputs))


def _spec_to_run(eng: Engine, c: Container) -> Spec:
    """``build_spec``, or the spec ``check_spec`` made at create when its inputs are equal:
    ``build`` is a pure function of them (its profile and capability set are constants), and
    comparing costs far less than building (the seccomp profile, the whole spec parsed).
    Anything changed since (``update``, a passwd copied in, a ``container:X`` that runs now)
    makes the inputs differ and the spec is built anew. Used once: the runtime may change
    the spec it is handed."""
    checked, c.checked_spec = c.checked_spec, None
    inputs = _spec_inputs(eng, c, False)
    if checked is not None and checked[0] == inputs:
        return checked[1]
    return _build(inputs)


def _runtime_status(eng: Engine, c: Container) -> str | None:
    try:
        return eng.runtime.state(c.id).status.value
    except ContainerNotFound:
        return None


def discard_runtime(eng: Engine, c: Container, present: bool | None = None) -> None:
    """Delete whatever runtime container is left (a prepared one, or one that exited), and
    with it the container's endpoints and published ports: they live as long as it does.
    ``present``: whether one exists, when the caller (holding ``c.lock``) has just read its
    state; None asks the runtime."""
    try:
        networking.detach(eng, c.id)
    finally:
        if present is None:
            present = _runtime_status(eng, c) is not None
        if present:
            eng.runtime.delete(c.id, force=True)
        c.prepared = False


def _start_failure(e: SandboxError) -> SandboxError:
    """A failed start in dockerd's terms; the CLI turns "executable file not found" into
    exit code 127 and "permission denied" into 126 by reading the message."""
    if isinstance(e, (InvalidParameter, ResourceError, SpecError, NetworkError)):
        return e  # a network refusal keeps its own status: a taken port is 409, not a crash
    text = e.message
    lowered = text.lower()
    if "executable file not found" in text or "no such file" in lowered or "permission denied" in lowered:
        return InvalidParameter(f"failed to create task for container: {text}: unknown", "Cmd", e.hint)
    return ContainerServiceError(f"failed to start container: {text}", e.hint)


def _failure_code(message: str) -> int:
    if "executable file not found" in message or "no such file" in message.lower():
        return 127
    if "permission denied" in message.lower():
        return 126
    return 128


def prepare(eng: Engine, c: Container) -> None:
    """Make the runtime container with managed stdio unless one is waiting already."""
    from sandbox.runtime.runtime import ProcessIO

    if c.prepared and _runtime_status(eng, c) == "created":
        return
    discard_runtime(eng, c)
    spec = _spec_to_run(eng, c)
    cfg, host = c.rec.config, c.rec.host_config
    size = host.get("ConsoleSize") or [0, 0]
    io = ProcessIO.managed(c.rec.log_path, open_stdin=bool(cfg.get("OpenStdin")),
                           stdin_once=bool(cfg.get("StdinOnce")), tty=bool(cfg.get("Tty")),
                           size=(size[0], size[1]) if size[0] and size[1] else None)
    with eng.forking():
        eng.runtime.create(c.id, spec, eng.files.dir_of(c.id), io=io, detach=True)
    c.prepared = True


def launch(eng: Engine, c: Container) -> None:
    """Prepare if needed, start, watch for the exit. The caller holds ``c.lock``."""
    s = c.rec.state
    try:
        prepare(eng, c)
        # Between create and start the init waits on its exec fifo: its network namespace
        # exists and nothing runs yet, so the program starts with its interfaces in place.
        networking.attach(eng, c)
        pid = eng.runtime.start(c.id).pid
    except SandboxError as e:
        failure = _start_failure(e)
        try:
            discard_runtime(eng, c)
        except SandboxError:
            pass  # the start error is the one to report; a leftover is cleared at the next start
        s.error = failure.message
        s.exit_code = _failure_code(failure.message)
        eng.save(c)
        raise failure from e
    c.prepared = False
    s.running, s.paused, s.restarting, s.oom_killed, s.dead = True, False, False, False, False
    s.pid, s.exit_code, s.error = pid, 0, ""
    s.started_at = eng.clock()
    c.rec.has_been_started_before = True
    eng.save(c)
    exits.watch(eng, c)
    eng.event(c, "start")


def start(eng: Engine, c: Container) -> None:
    with c.lock:
        s = c.rec.state
        if s.removing or c.removed:
            raise ContainerConflict(c.id, f"container {c.id} is marked for removal and cannot be started")
        if s.dead:
            raise ContainerConflict(c.id, f"container {c.id} is dead and cannot be started", "remove it")
        if s.paused:
            raise ContainerConflict(c.id, "cannot start a paused container, try unpause instead")
        if s.live:
            raise ContainerNotModified(c.id, "running")
        exits.cancel_restart(c)
        c.rec.has_been_manually_stopped = False
        launch(eng, c)


def send_signal(eng: Engine, c: Container, sig: int, all_processes: bool = False) -> None:
    """Signal a live container; a paused one is thawed so the signal can act."""
    try:
        eng.runtime.kill(c.id, sig, all_processes=all_processes)
    except (StateError, ContainerNotFound):
        return  # it exited meanwhile; the watcher records that
    if c.rec.state.paused:
        try:
            eng.runtime.resume(c.id)
        except (StateError, ContainerNotFound):
            pass
        c.rec.state.paused = False
    eng.event(c, "kill", signal=str(sig))


def _stand_down(eng: Engine, c: Container) -> None:
    """A container waiting to restart is stopped: it just does not come back."""
    exits.cancel_restart(c)
    s = c.rec.state
    s.running = s.restarting = False
    eng.save(c)
    c.waiters.exited(wait_result(s.exit_code, s.error))


def stop(eng: Engine, c: Container, timeout: int | None = None, sig: str | int | None = None) -> None:
    """The stop signal, then SIGKILL after ``timeout`` seconds (default 10; -1 waits forever).
    Blocks until the container has exited. Already stopped: ``ContainerNotModified``."""
    with c.lock:
        s = c.rec.state
        if s.running and s.restarting:
            c.rec.has_been_manually_stopped = True
            _stand_down(eng, c)
            eng.event(c, "stop")
            return
        if not s.live:
            raise ContainerNotModified(c.id, "stopped")
        c.rec.has_been_manually_stopped = True
        eng.save(c)
        stop_signal = parse_signal(sig if sig else c.rec.config.get("StopSignal"), "TERM")
        exited = c.waiters.next_exit()
        send_signal(eng, c, stop_signal)
        if timeout is None:
            timeout = c.rec.config.get("StopTimeout")
        if timeout is None:
            timeout = DEFAULT_STOP_TIMEOUT
    try:
        exited.result(timeout=None if timeout < 0 else timeout)
    except FutureTimeout:
        with c.lock:
            if c.rec.state.live:
                send_signal(eng, c, signal.SIGKILL, all_processes=True)
        try:
            exited.result(timeout=KILL_GRACE)
        except FutureTimeout:
            raise ContainerServiceError(f"container {c.id} did not exit after SIGKILL",
                                        "its processes may be stuck in the kernel (D state)") from None
    eng.event(c, "stop")


def kill(eng: Engine, c: Container, sig: str | int | None = "KILL") -> None:
    number = parse_signal(sig, "KILL")
    with c.lock:
        s = c.rec.state
        if s.running and s.restarting:
            c.rec.has_been_manually_stopped = True
            _stand_down(eng, c)
            return
        if not s.live:
            raise ContainerConflict(c.id, f"Cannot kill container: {c.rec.name.lstrip('/')}: "
                                          f"container {c.id} is not running")
        # Like dockerd: a kill is the user's stop, and the restart policy stands down.
        c.rec.has_been_manually_stopped = True
        eng.save(c)
        send_signal(eng, c, number)


def pause(eng: Engine, c: Container) -> None:
    with c.lock:
        s = c.rec.state
        if not s.live:
            raise ContainerConflict(c.id, f"container {c.id} is not running")
        if s.paused:
            raise ContainerConflict(c.id, f"container {c.id} is already paused")
        eng.runtime.pause(c.id)
        s.paused = True
        eng.save(c)
        eng.event(c, "pause")


def unpause(eng: Engine, c: Container) -> None:
    with c.lock:
        s = c.rec.state
        if not (s.live and s.paused):
            raise ContainerConflict(c.id, f"container {c.id} is not paused")
        eng.runtime.resume(c.id)
        s.paused = False
        eng.save(c)
        eng.event(c, "unpause")


def restart(eng: Engine, c: Container, timeout: int | None = None) -> None:
    try:
        stop(eng, c, timeout)
    except ContainerNotModified:
        pass
    with c.lock:
        s = c.rec.state
        if s.removing or c.removed:
            raise ContainerConflict(c.id, f"container {c.id} is marked for removal and cannot be started")
        if not s.live:
            exits.cancel_restart(c)
            c.rec.has_been_manually_stopped = False
            launch(eng, c)
    eng.event(c, "restart")
