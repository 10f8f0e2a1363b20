"""The exit watcher: one thread per running container, blocked in ``runtime.wait``.

When the container's shim records the exit, the watcher writes it into the record
(ExitCode, OOMKilled, FinishedAt), emits ``oom`` and ``die``, deletes the runtime
container (our record and the read-write layer stay), wakes the waiters, and then either
schedules a restart (the restart policy, with back-off) or removes the container (``--rm``).
Re-adopted containers (after an engine restart) are watched the same way.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from sandbox.engine.containers import lifecycle, removal
from sandbox.engine.containers.registry import Container
from sandbox.engine.containers.restart import Policy, next_delay
from sandbox.engine.containers.waiters import wait_result
from sandbox.errors import ContainerNotFound, SandboxError

if TYPE_CHECKING:
    from sandbox.engine.containers.context import Engine
    from sandbox.runtime.runtime import ExitStatus


def watch(eng: Engine, c: Container) -> None:
    """Start watching a live runtime container (the caller holds ``c.lock``)."""
    if c.watched:
        return
    c.watched = True
    t = threading.Thread(target=_watch, args=(eng, c), name=f"exit-{c.rec.short_id}", daemon=True)
    t.start()


def _watch(eng: Engine, c: Container) -> None:
    from sandbox.runtime.runtime import ExitStatus

    try:
        status = eng.runtime.wait(c.id)
    except (SandboxError, OSError) as e:
        # The runtime lost track of it (its state directory went away): an exit all the same.
        status = ExitStatus(code=255)
        with c.lock:
            c.rec.state.error = f"lost the container: {e}"
    if eng.closed:
        return
    handle_exit(eng, c, status)


def handle_exit(eng: Engine, c: Container, status: ExitStatus, finished: float | None = None) -> None:
    auto_remove = False
    with c.lock:
        c.watched = False
        s = c.rec.state
        if not s.running or s.restarting:
            return  # recorded already (a restore that saw the exit first)
        present: bool | None = None  # is there a runtime container? (None: not asked yet)
        if not finished:
            try:
                finished = eng.runtime.state(c.id).finished or eng.clock()
                present = True
            except ContainerNotFound:
                finished = eng.clock()
                present = False
        ran_for = finished - s.started_at
        s.pid = 0
        s.paused = False
        s.exit_code = status.code
        s.oom_killed = status.oom_killed
        s.finished_at = finished
        try:
            # The state just read answers discard_runtime's question: not read twice.
            lifecycle.discard_runtime(eng, c, present)
        except SandboxError as e:
            s.error = f"could not delete the runtime container: {e.message}"
        policy = Policy.from_api(c.rec.restart_policy)
        again = (not s.removing and not eng.closed
                 and policy.should_restart(status.code, c.rec.has_been_manually_stopped, c.rec.restart_count))
        if status.oom_killed:
            eng.event(c, "oom")
        eng.event(c, "die", exitCode=str(status.code))
        if again:
            c.restart_delay = next_delay(c.restart_delay, ran_for)
            s.restarting = True
            _schedule_restart(eng, c, c.restart_delay)
        else:
            s.running = False
            auto_remove = bool(c.rec.host_config.get("AutoRemove")) and not s.removing
            if auto_remove:
                removal.mark_exited_for_removal(c)
        eng.save(c)
        # The shim ends while the above is done: once it is gone the container has left
        # nothing behind, and only then is its exit reported.
        eng.runtime.reap_ending(c.id)
        c.waiters.exited(wait_result(s.exit_code, s.error))
    if auto_remove:
        try:
            # --rm takes the anonymous volumes along, as `docker run --rm` does.
            removal.finish(eng, c, volumes=True, waited_for_disk=False)
        except SandboxError as e:
            with c.lock:
                c.rec.state.error = f"could not remove the container (--rm): {e.message}"
                c.rec.state.dead = True
                eng.save(c)


def _schedule_restart(eng: Engine, c: Container, delay: float) -> None:
    timer = threading.Timer(delay, _restart, args=(eng, c))
    timer.daemon = True
    timer.name = f"restart-{c.rec.short_id}"
    c.restart_timer = timer
    timer.start()


def cancel_restart(c: Container) -> None:
    if c.restart_timer is not None:
        c.restart_timer.cancel()
        c.restart_timer = None


def _restart(eng: Engine, c: Container) -> None:
    with c.lock:
        c.restart_timer = None
        s = c.rec.state
        if eng.closed or c.removed or s.removing or not s.restarting:
            return
        c.rec.restart_count += 1
        try:
            lifecycle.launch(eng, c)
        except SandboxError as e:
            s.running = s.restarting = False
            s.error = e.message
            eng.save(c)
            c.waiters.exited(wait_result(s.exit_code, s.error))
