"""The per-container shim: the parent of the container's init, in the host's namespaces.

It outlives the runtime call that made it (and the engine), so it is the one that reaps the
init, records the exit code and whether the OOM killer ended it, and copies the
container's output into a json-file log. It never runs container code itself.
"""

from __future__ import annotations

import os
import signal
import time

from sandbox.errors import SandboxError
from sandbox.linux.syscalls import CLONE_NEWPID, LinuxSyscalls
from sandbox.linux.trace import Tracer
from sandbox.records import Record
from sandbox.runtime import channel
from sandbox.runtime import init as container_init
from sandbox.runtime.state import StateDir

# Not typing.TYPE_CHECKING: importing typing is part of every container start.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NoReturn

    from sandbox.runtime.cgroups import CgroupManager
    from sandbox.runtime.relay import RelayConfig


class ShimConfig(Record, repr=False, eq=False):
    init: container_init.InitConfig
    state: StateDir
    cgroup: "CgroupManager"
    new_pid_ns: bool
    join_pid_ns: str | None
    detach: bool
    relay: "RelayConfig | None" = None
    """Managed stdio: the log and attach.sock (see ``sandbox.runtime.relay``)."""
    done_fd: int = -1
    """Closed once the exit is recorded: the runtime's waiter need not wait for our own end."""


def fds_needed(cfg: ShimConfig) -> set[int]:
    """The descriptors the shim and the init it forks use; everything else can go."""
    init = cfg.init
    keep = {init.sync_fd, init.fifo_fd, cfg.done_fd, *(init.stdio or ()), *init.close_fds}
    if init.pty_slave is not None:
        keep.add(init.pty_slave)
    if cfg.relay is not None:
        keep.update(cfg.relay.outputs)
        if cfg.relay.stdin_fd is not None:
            keep.add(cfg.relay.stdin_fd)
        if cfg.relay.listener is not None:
            keep.add(cfg.relay.listener.fileno())
    return {fd for fd in keep if fd is not None and fd >= 0}


def run(cfg: ShimConfig) -> NoReturn:
    code = 1
    try:
        code = _run(cfg)
    except SandboxError as e:
        # Before the init is released: tell the runtime why, so `create` fails with it.
        try:
            channel.send(cfg.init.sync_fd, "error", message=e.render(), field=None)
        except OSError:
            pass
    finally:
        os._exit(code)


def _run(cfg: ShimConfig) -> int:
    init = cfg.init
    tracer = Tracer(channel.TraceToPipe(init.sync_fd)) if init.trace else Tracer()
    # The cgroup manager came over the fork with the parent's tracer, whose sinks (an
    # engine's event hub and its lock) belong to the parent: a lock another thread held at
    # the fork stays held here for ever. The shim's records go down the pipe instead.
    cgroup_files = getattr(cfg.cgroup, "io", None)
    if cgroup_files is not None:
        cgroup_files.tracer = tracer
    sys = LinuxSyscalls(tracer)
    if cfg.detach:
        # Our own session: the terminal that ran `create` may close, and its SIGHUP must
        # not reach the container.
        os.setsid()
    # Only our children enter a new pid namespace; we stay in the host's so we can reap
    # and account for the init as an ordinary child.
    if cfg.join_pid_ns:
        fd = os.open(cfg.join_pid_ns, os.O_RDONLY | os.O_CLOEXEC)
        sys.setns(fd, CLONE_NEWPID, cfg.join_pid_ns)
        os.close(fd)
    elif cfg.new_pid_ns:
        sys.unshare(CLONE_NEWPID)
    go_r, go_w = os.pipe()
    init.go_fd = go_r
    pid = os.fork()
    if pid == 0:
        os.close(go_w)
        container_init.run(init)
    os.close(go_r)
    cfg.cgroup.add_process(pid)
    channel.send(init.sync_fd, "pid", pid=pid)
    os.write(go_w, b"1")
    os.close(go_w)
    os.close(init.sync_fd)
    # Hold the container's mount namespace until the exit is recorded: its teardown (every
    # mount undone, and an RCU grace period) then runs at our own end, after the waiter
    # has its answer, instead of inside the init's exit, which the exit code waits for.
    mnt_ns = hold_mount_namespace(pid)
    for fd in (init.fifo_fd, init.pty_slave):
        if fd is not None and fd >= 0:
            os.close(fd)
    if init.stdio is not None:
        for fd in set(init.stdio):
            if fd > 2:
                os.close(fd)
    if cfg.detach:
        # Let go of the caller's stdio: whoever ran `create` (a pipe, a terminal) must see
        # EOF when the container alone holds them, not when the shim exits too.
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        os.close(null)
    # Signals meant for the container must not end the shim before it has recorded the exit.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    reaped: list[int] = []
    if not cfg.new_pid_ns:
        _end_with_the_init(cfg, pid, reaped)
    if cfg.relay is not None:
        from sandbox.runtime.relay import Relay

        Relay(cfg.relay).run()
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        status = reaped[0]  # the SIGCHLD handler got there first
    if not cfg.new_pid_ns:
        _kill_the_rest(cfg)
    finished = time.time()
    oom = False
    try:
        oom = cfg.cgroup.oom_killed()
    except OSError:
        pass
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        code = 128 + sig
    else:
        sig = None
        code = os.WEXITSTATUS(status)
    cfg.state.write_exit(code, sig, oom, finished)
    if cfg.done_fd >= 0:
        os.close(cfg.done_fd)
    if mnt_ns is not None:
        os.close(mnt_ns)
    return code


def hold_mount_namespace(pid: int) -> int | None:
    """A descriptor of ``pid``'s mount namespace, when it is not ours; None when it is ours
    or the process is gone. The shim calls it right after ``go``: the init unshares before
    it waits for ``go``, so it almost always has its own by then."""
    try:
        fd = os.open(f"/proc/{pid}/ns/mnt", os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None  # the init failed and is gone already: nothing to hold
    if os.fstat(fd).st_ino == os.stat("/proc/self/ns/mnt").st_ino:
        os.close(fd)  # still ours (not unshared yet, or none of its own): nothing to gain
        return None
    return fd


def _kill_the_rest(cfg: ShimConfig) -> None:
    try:
        cfg.cgroup.kill_all(signal.SIGKILL)
    except (SandboxError, OSError):
        pass  # the cgroup is gone or empty: nothing is left to end


def _end_with_the_init(cfg: ShimConfig, pid: int, reaped: list[int]) -> None:
    """Without a pid namespace of its own (``--pid host``, ``--pid container:X``) the init's
    exit ends nothing else: the kernel kills a namespace's processes only when its pid 1
    dies. Like runc for a shared pid namespace, the container ends with its init: on its
    exit the rest of its cgroup is killed, which also closes the output pipes they held and
    so lets the relay finish (else a background child keeps the container "running")."""

    def on_child(signum: int | None, frame: object) -> None:
        if reaped:
            return
        try:
            done, status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            return
        if done:
            reaped.append(status)
            _kill_the_rest(cfg)

    signal.signal(signal.SIGCHLD, on_child)
    on_child(None, None)  # an init that exited before the handler was in place
