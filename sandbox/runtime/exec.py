"""Run another process inside a running container (``docker exec``).

A helper forked from the caller joins the container's cgroup and namespaces (the mount
namespace last: after it, host paths are gone), then forks once more so the new process is
born inside the container's pid namespace, drops privileges like the container's init did,
and execs. The helper stays outside as the process's parent, and reports the process's exit
code down a pipe as it ends. An engine has the helper forked by its fork server (see
``sandbox.runtime.forkserver``), so the helper is not the engine's child and the pipe is how
the engine learns the code; forking the engine would copy every page it writes while the
process runs.
"""

from __future__ import annotations

import gc
import os
import signal
from dataclasses import dataclass
from typing import TYPE_CHECKING, NoReturn

from sandbox.errors import SandboxError
from sandbox.linux.syscalls import LinuxSyscalls
from sandbox.linux.trace import Tracer
from sandbox.runtime import channel
from sandbox.runtime.fds import close_fds_except, wait_readable
from sandbox.runtime.init import _lookup
from sandbox.runtime.namespaces import FLAGS, PROC_NAMES
from sandbox.runtime.security import finalize_process

if TYPE_CHECKING:
    from sandbox.runtime.seccomp import CompiledFilter
    from sandbox.runtime.spec import Process

# setns order: the pid namespace only applies to children, so any time; the mount namespace
# last, because entering it replaces our root and /proc paths of the host stop resolving.
JOIN_ORDER: tuple[tuple[str, str, int], ...] = tuple(
    (kind, PROC_NAMES[kind], FLAGS[kind]) for kind in ("cgroup", "ipc", "uts", "network", "pid", "mount"))


@dataclass(repr=False, eq=False)
class ExecProcess:
    pid: int
    """The helper: the process's parent, outside the container's pid namespace."""
    status_fd: int
    """Ours: the helper writes the process's exit code here as it ends."""
    pty_master: int | None = None
    reap: bool = True
    """The helper is our child (no fork server): reap it too."""
    _code: int | None = None

    def wait(self) -> int:
        if self._code is None:
            try:
                wait_readable(self.status_fd)
                report = os.read(self.status_fd, 32)
            finally:
                os.close(self.status_fd)
            died = None
            if self.reap:
                _, status = os.waitpid(self.pid, 0)
                died = os.waitstatus_to_exitcode(status)
            if report:
                self._code = int(report)
            elif died is not None:
                self._code = 128 - died if died < 0 else died
            else:
                # The helper ended without a word, and only its parent (the fork server)
                # learns how: it was killed, and SIGKILL is what kills a container's
                # processes (docker kill, rm -f, the OOM killer).
                self._code = 128 + signal.SIGKILL
        return self._code


@dataclass(repr=False, eq=False)
class ExecPlan:
    ns_fds: list[tuple[int, int, str]]
    """(fd, CLONE_NEW* type, path) in join order."""
    join_cgroup: "object"
    """The container's CgroupManager."""
    process: "Process"
    seccomp: "CompiledFilter | None"
    stdio: tuple[int, int, int] | None
    pty_slave: int | None
    sync_fd: int
    trace: bool
    status_fd: int = -1
    """The helper writes the exit code here (close-on-exec: the process never holds it)."""


def fds_needed(plan: ExecPlan) -> set[int]:
    keep = {plan.sync_fd, plan.status_fd, *(fd for fd, _, _ in plan.ns_fds), *(plan.stdio or ())}
    if plan.pty_slave is not None:
        keep.add(plan.pty_slave)
    return {fd for fd in keep if fd >= 0}


def spawn(plan: ExecPlan, close_in_child: list[int]) -> int:
    """Fork the helper ourselves (a caller without a fork server)."""
    gc.disable()
    try:
        pid = os.fork()
        if pid == 0:
            for fd in close_in_child:
                os.close(fd)
            close_fds_except(fds_needed(plan))
            helper(plan)
    finally:
        gc.enable()
    return pid


def helper(plan: ExecPlan) -> NoReturn:
    """In the forked helper. Never returns."""
    code = 1
    try:
        tracer = Tracer(channel.TraceToPipe(plan.sync_fd)) if plan.trace else Tracer()
        sys = LinuxSyscalls(tracer)
        plan.join_cgroup.add_process(os.getpid())  # type: ignore[attr-defined]
        for fd, nstype, path in plan.ns_fds:
            sys.setns(fd, nstype, path)
            os.close(fd)
        pid = os.fork()
        if pid == 0:
            _process(plan, tracer)
        os.close(plan.sync_fd)
        for fd in {plan.pty_slave, *(plan.stdio or ())}:
            if fd is not None and fd > 2:
                os.close(fd)
        _, status = os.waitpid(pid, 0)
        code = os.waitstatus_to_exitcode(status)
        code = 128 - code if code < 0 else code
    except SandboxError as e:
        _report(plan.sync_fd, e.render())
    except OSError as e:
        _report(plan.sync_fd, str(e))
    except BaseException:  # noqa: BLE001 - the caller must learn why, whatever it was
        import traceback

        _report(plan.sync_fd, traceback.format_exc())
    finally:
        if plan.status_fd >= 0:
            try:
                os.write(plan.status_fd, b"%d" % code)
            except OSError:
                pass
        os._exit(code)


def _process(plan: ExecPlan, tracer: Tracer) -> NoReturn:
    try:
        if plan.pty_slave is not None:
            import fcntl
            import termios

            os.setsid()
            fcntl.ioctl(plan.pty_slave, termios.TIOCSCTTY, 0)
            for fd in (0, 1, 2):
                os.dup2(plan.pty_slave, fd)
        elif plan.stdio is not None:
            for target, fd in enumerate(plan.stdio):
                if fd != target:
                    os.dup2(fd, target)
        proc = plan.process
        os.chdir(proc.cwd)
        program = _lookup(proc.args[0], proc.env)
        finalize_process(proc, plan.seccomp, tracer)
        tracer.emit("exec", path=program, argv=proc.args)
        channel.send(plan.sync_fd, "ready")
        os.close(plan.sync_fd)
        env = dict(e.split("=", 1) if "=" in e else (e, "") for e in proc.env)
        os.execve(program, proc.args, env)
    except SandboxError as e:
        _report(plan.sync_fd, e.render())
    except OSError as e:
        _report(plan.sync_fd, f"{e.strerror}: {e.filename}" if e.filename else str(e))
    except BaseException:  # noqa: BLE001 - the caller must learn why, whatever it was
        import traceback

        _report(plan.sync_fd, traceback.format_exc())
    os._exit(127)


def _report(fd: int, message: str) -> None:
    try:
        channel.send(fd, "error", message=message)
    except OSError:
        pass
