"""The container's init: the code that runs between fork and exec.

It starts as pid 1 of the new pid namespace (the shim unshared CLONE_NEWPID before forking
it) and still shares every other namespace with the host. Step by step it enters the
container's world; anything that goes wrong is sent to the runtime over the sync pipe
and the process exits, so ``create`` fails with the real reason.
"""

from __future__ import annotations

import os

from sandbox.errors import SandboxError
from sandbox.linux.syscalls import CLONE_NEWCGROUP, LinuxSyscalls
from sandbox.linux.trace import Tracer
from sandbox.records import Record, field
from sandbox.runtime import channel, rootfs

# Imported here, not where it is used: by then the init has pivoted into the container's
# root, where the host's Python modules can no longer be found.
from sandbox.runtime.security import finalize_process

# Not typing.TYPE_CHECKING: importing typing is part of every container start.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NoReturn

    from sandbox.runtime.seccomp import CompiledFilter
    from sandbox.runtime.spec import Process


class InitConfig(Record, repr=False, eq=False):
    container: str
    unshare_flags: int
    join: list[tuple[str, int]]
    """(namespace path, CLONE_NEW* type) to setns into before unsharing the rest."""
    hostname: str | None
    new_net: bool
    plan: rootfs.RootfsPlan
    process: "Process"
    seccomp: "CompiledFilter | None"
    stdio: tuple[int, int, int] | None = None
    """fds to become 0, 1, 2; None keeps what we inherited."""
    pty_slave: int | None = None
    sync_fd: int = -1
    go_fd: int = -1
    fifo_fd: int = -1
    trace: bool = False
    close_fds: list[int] = field(default_factory=list)


class ExecNotFound(SandboxError):
    def __init__(self, program: str) -> None:
        super().__init__(f'exec: "{program}": executable file not found in $PATH',
                         "check the command, or the image's PATH")


def _lookup(program: str, env: list[str]) -> str:
    if "/" in program:
        if os.access(program, os.X_OK) and not os.path.isdir(program):
            return program
        raise ExecNotFound(program)
    path = next((e[5:] for e in env if e.startswith("PATH=")),
                "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
    for d in path.split(":"):
        candidate = os.path.join(d or ".", program)
        if os.access(candidate, os.X_OK) and not os.path.isdir(candidate):
            return candidate
    raise ExecNotFound(program)


def _setup_stdio(cfg: InitConfig) -> None:
    if cfg.pty_slave is not None:
        import fcntl
        import termios

        # A new session with the pty as controlling terminal, so ^C in the terminal becomes
        # SIGINT for the container's foreground process group.
        os.setsid()
        fcntl.ioctl(cfg.pty_slave, termios.TIOCSCTTY, 0)
        for fd in (0, 1, 2):
            os.dup2(cfg.pty_slave, fd)
        return
    if cfg.stdio is not None:
        for target, fd in enumerate(cfg.stdio):
            if fd != target:
                os.dup2(fd, target)


def run(cfg: InitConfig) -> NoReturn:
    """Never returns: either execs the container process or exits with 1."""
    # Kept until the last message: before ``go`` the shim writes to the pipe too, and only
    # single writes below PIPE_BUF stay whole with two writers.
    traces = channel.BufferedTraceToPipe()
    try:
        for fd in cfg.close_fds:
            os.close(fd)
        tracer = Tracer(traces) if cfg.trace else Tracer()
        sys = LinuxSyscalls(tracer)
        for path, nstype in cfg.join:
            fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
            try:
                sys.setns(fd, nstype, path)
            finally:
                os.close(fd)
        # The new namespaces are made while the shim moves us into the container's cgroup
        # (on cgroup v1 a move waits for an RCU grace period, the slowest step of a start).
        if cfg.unshare_flags & ~CLONE_NEWCGROUP:
            sys.unshare(cfg.unshare_flags & ~CLONE_NEWCGROUP)
        if cfg.new_net:
            sys.link_up("lo")
        if cfg.hostname is not None:
            sys.sethostname(cfg.hostname)
        # The root and the mounts before the first cgroup mount need no cgroup: they are
        # made while the move is under way too. Nothing of the container runs yet, and the
        # device nodes are made later, so nothing escapes the container's limits.
        done = rootfs.build_early(cfg.plan, sys)
        # The cgroup namespace takes our cgroup at the moment of unshare as its root, so
        # it waits until the shim says we are in the container's cgroup.
        if os.read(cfg.go_fd, 1) != b"1":
            os._exit(1)
        os.close(cfg.go_fd)
        if cfg.unshare_flags & CLONE_NEWCGROUP:
            sys.unshare(CLONE_NEWCGROUP)
        rootfs.build(cfg.plan, sys, done)
        _setup_stdio(cfg)
        proc = cfg.process
        os.chdir(proc.cwd)
        program = _lookup(proc.args[0], proc.env)
        finalize_process(proc, cfg.seccomp, tracer)
        tracer.emit("exec", path=program, argv=proc.args)
        channel.write_all(cfg.sync_fd, traces.take() + channel.encode("ready"))
        os.close(cfg.sync_fd)
        # Block until `start`: opening the fifo for writing waits for a reader. It was
        # opened O_PATH before pivot_root; /proc/self/fd reopens it from inside.
        fifo = os.open(f"/proc/self/fd/{cfg.fifo_fd}", os.O_WRONLY | os.O_CLOEXEC)
        os.write(fifo, b"0")
        os.close(fifo)
        env = dict(e.split("=", 1) if "=" in e else (e, "") for e in proc.env)
        os.execve(program, proc.args, env)
    except SandboxError as e:
        _fail(cfg, traces, e.render(), getattr(e, "field", None))
    except OSError as e:
        _fail(cfg, traces, f"{e.strerror}: {e.filename}" if e.filename else str(e), None)
    except BaseException:  # noqa: BLE001 - must report anything before the child dies
        import traceback

        _fail(cfg, traces, traceback.format_exc(), None)


def _fail(cfg: InitConfig, traces: channel.BufferedTraceToPipe, message: str, field_name: str | None) -> NoReturn:
    """The records so far (they show how far it got), then the error. The shim may still
    write (a failure before ``go``), so each goes in a write of its own, below PIPE_BUF."""
    try:
        for line in traces.lines():
            os.write(cfg.sync_fd, line)
        channel.send(cfg.sync_fd, "error", message=message, field=field_name)
    except OSError:
        pass
    os._exit(1)
