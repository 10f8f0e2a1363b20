"""Engine start: every record is read again and matched with what the runtime still has.

- running or paused in the runtime: re-adopted (watched for its exit again);
- created in the runtime: kept as a prepared container (its init still waits for start);
- stopped while the engine was down: its exit code (from the shim's exit file) is
  recorded, as if the watcher had seen it, restart policy included;
- gone from the runtime (a reboot emptied /run): marked exited with Error "engine restarted";
- a removal cut short by the crash is finished.
Then ``always`` containers, and ``unless-stopped`` ones the user did not stop, start again.
Runtime containers and read-write layers with no record (a create cut short) are deleted.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from sandbox.engine.containers import exits, lifecycle, removal
from sandbox.engine.containers.registry import Container
from sandbox.engine.containers.restart import Policy
from sandbox.errors import SandboxError

if TYPE_CHECKING:
    from sandbox.engine.containers.context import Engine
    from sandbox.runtime.state import State

_OUR_ID = re.compile(r"^[0-9a-f]{64}$")
LOST_EXIT_CODE = 255


def restore(eng: Engine) -> list[str]:
    """Returns problems met (unreadable records, failed restarts), for the daemon's log."""
    from sandbox.runtime.runtime import ExitStatus

    problems: list[str] = []
    containers: list[Container] = []
    for item in eng.files.load_all():
        if isinstance(item, tuple):
            problems.append(f"container {item[0]}: unreadable record: {item[1]}")
            continue
        c = Container(item)
        eng.registry.add(c)
        containers.append(c)
    live = {st.id: st for st in eng.runtime.list()}
    for c in containers:
        st = live.pop(c.id, None)
        with c.lock:
            s = c.rec.state
            status = st.status.value if st is not None else None
            if status == "stopped" and s.live and st is not None and st.exit_code is None:
                status, st = _unrecorded_exit(eng, c.id, st)
            if status in ("running", "paused"):
                assert st is not None
                s.running, s.restarting, s.paused, s.pid = True, False, status == "paused", st.pid
                if not s.started_at:
                    s.started_at = st.started or eng.clock()
                eng.save(c)
                exits.watch(eng, c)
                continue
            c.prepared = status == "created"
            if status == "stopped" and s.live:
                assert st is not None
                status_ = ExitStatus(code=st.exit_code if st.exit_code is not None else LOST_EXIT_CODE,
                                     oom_killed=st.oom_killed)
            elif status == "stopped":
                status_ = None
                try:
                    lifecycle.discard_runtime(eng, c)
                except SandboxError as e:
                    problems.append(f"container {c.id}: {e.message}")
            else:
                status_ = None
                if s.running:
                    s.running = s.restarting = s.paused = False
                    s.pid, s.exit_code, s.error = 0, LOST_EXIT_CODE, "engine restarted"
                    s.finished_at = eng.clock()
                    eng.save(c)
                    eng.event(c, "die", exitCode=str(LOST_EXIT_CODE))
        if status_ is not None:
            exits.handle_exit(eng, c, status_, finished=st.finished if st is not None else None)
    known = {c.id for c in containers}
    for layer in eng.store.container_layers():
        if layer.container_id not in known and _OUR_ID.match(layer.container_id):
            # A create cut short between the layer and the record: nothing refers to it.
            try:
                eng.store.remove_container_layer(layer.container_id)
                eng.files.remove(layer.container_id)
            except (SandboxError, OSError) as e:
                problems.append(f"read-write layer {layer.container_id} without a record: {e}")
    for leftover in live:
        if _OUR_ID.match(leftover):
            try:
                eng.runtime.delete(leftover, force=True)
            except SandboxError as e:
                problems.append(f"runtime container {leftover} without a record: {e.message}")
    for c in containers:
        problems += _after_restore(eng, c)
    return problems


def _unrecorded_exit(eng: Engine, cid: str, st: State) -> tuple[str, State]:
    """The init is gone but no exit is recorded: either its shim is still at work (draining
    the output, then reaping) and will record it, so the container is re-adopted as
    running and its watcher picks the exit up; or the shim has just finished, and its exit
    file is there to be read again now."""
    from sandbox.linux import proc

    if st.shim_pid and proc.start_time(st.shim_pid) == st.shim_start \
            and proc.process_state(st.shim_pid) not in ("Z", "X", None):
        return "running", st
    try:
        st = eng.runtime.state(cid)
    except SandboxError:
        pass  # its state went meanwhile: the exit is lost either way
    return st.status.value, st


def _after_restore(eng: Engine, c: Container) -> list[str]:
    s = c.rec.state
    if s.removing:
        s.removing = False
        try:
            removal.remove(eng, c, force=True)
        except SandboxError as e:
            return [f"container {c.id}: finishing its removal: {e.message}"]
        return []
    policy = Policy.from_api(c.rec.restart_policy)
    with c.lock:
        if s.running or not policy.restart_at_daemon_start(c.rec.has_been_manually_stopped,
                                                           c.rec.has_been_started_before):
            return []
        try:
            lifecycle.launch(eng, c)
        except SandboxError as e:
            return [f"container {c.id}: restart policy {policy.name}: {e.message}"]
    return []
