"""Running exec instances: the process built from the container's own spec, its stdio,
and the thread that records its exit (see ``execs`` for the objects)."""

from __future__ import annotations

import copy
import fcntl
import os
import socket
import struct
import termios
import threading
from typing import TYPE_CHECKING, Any

from sandbox.engine.containers import lifecycle
from sandbox.engine.containers.execs import ExecInstance, ExecSession
from sandbox.engine.containers.registry import Container
from sandbox.engine.containers.translate import merge_env
from sandbox.engine.containers.validate import EXEC, check_fields
from sandbox.engine.specgen import UserUnknown, resolve_user
from sandbox.errors import ContainerConflict, InvalidParameter, SandboxError

if TYPE_CHECKING:
    from sandbox.engine.containers.context import Engine
    from sandbox.runtime.exec import ExecProcess
    from sandbox.runtime.spec import Process


def create(eng: Engine, c: Container, body: Any) -> dict[str, str]:
    cfg = check_fields(body, EXEC, "ExecConfig")
    if not cfg.get("Cmd"):
        raise InvalidParameter("No exec command specified", "Cmd",
                               "give the command to run, e.g. [\"ls\", \"/\"]")
    with c.lock:
        _check_running(c)
        inst = eng.execs.add(c.id, cfg, eng.clock())
        eng.event(c, "exec_create: " + " ".join(cfg["Cmd"]), execID=inst.id)
    return {"Id": inst.id}


def _check_running(c: Container) -> None:
    s = c.rec.state
    if not s.live:
        raise ContainerConflict(c.id, f"container {c.id} is not running")
    if s.paused:
        raise ContainerConflict(c.id, f"container {c.id} is paused, unpause the container before exec")


def _process(eng: Engine, c: Container, cfg: dict[str, Any], tty: bool) -> Process:
    """The container's own process settings (capabilities, seccomp-relevant flags, env,
    user) with the exec's command, env, user and working directory over them."""
    from sandbox.engine.containers.rootfs import read_file

    base = lifecycle.build_spec(eng, c).process
    proc = copy.deepcopy(base)
    proc.args = list(cfg["Cmd"])
    proc.terminal = tty
    env = merge_env(base.env, list(cfg.get("Env") or []))
    if tty and not any(e.startswith("TERM=") for e in env):
        env.append("TERM=xterm")
    proc.env = env
    if cfg.get("WorkingDir"):
        proc.cwd = cfg["WorkingDir"]
    if cfg.get("User"):
        layout = eng.store.container_rootfs(c.id)
        try:
            ids = resolve_user(cfg["User"], read_file(eng.store, layout, c.rec.image_id, "etc/passwd"),
                               read_file(eng.store, layout, c.rec.image_id, "etc/group"))
        except UserUnknown as e:
            raise InvalidParameter(e.message, "User", e.hint) from e
        proc.user.uid, proc.user.gid, proc.user.additional_gids = ids.uid, ids.gid, list(ids.additional_gids)
    size = cfg.get("ConsoleSize")
    proc.console_size = (size[0], size[1]) if tty and size and size[0] and size[1] else None
    return proc


def start(eng: Engine, inst: ExecInstance, detach: bool = False, tty: bool | None = None) -> ExecSession:
    """Run the instance. Blocks until the process has started (or failed to)."""
    from sandbox.runtime.runtime import ProcessIO

    cfg = inst.config
    tty = bool(cfg.get("Tty")) if tty is None else tty
    c = eng.registry.get(inst.container_id)
    ours: list[Any] = []  # the engine's ends, closed again if the start fails
    theirs: list[int] = []
    with c.lock:
        try:
            _check_running(c)
            proc = _process(eng, c, cfg, tty)
            session = ExecSession(id=inst.id, tty=tty, pid=0, instance=inst)
            with eng.forking():
                if tty and not detach:
                    size = proc.console_size or (24, 80)
                    io = ProcessIO.pty(*size)
                else:
                    io = ProcessIO("fds", fds=_stdio(cfg, detach, session, ours, theirs))
                try:
                    handle = eng.runtime.exec(c.id, proc, io)
                finally:
                    for fd in theirs:
                        os.close(fd)
        except SandboxError as e:
            for end in ours:
                end.close() if isinstance(end, socket.socket) else os.close(end)
            inst.exit_code = 127 if "not found" in e.message else 126
            inst.done.set()
            if isinstance(e, (ContainerConflict, InvalidParameter)):
                raise
            raise InvalidParameter(f"OCI runtime exec failed: {e.message}: unknown", "Cmd", e.hint) from e
        session.pid = inst.pid = handle.pid
        session.pty_master = inst.pty_master = handle.pty_master
        inst.running = True
        eng.event(c, "exec_start: " + " ".join(cfg["Cmd"]), execID=inst.id)
    threading.Thread(target=_wait, args=(eng, c, inst, handle), name=f"exec-{inst.id[:12]}",
                     daemon=True).start()
    return session


def _stdio(cfg: dict[str, Any], detach: bool, session: ExecSession, ours: list[Any],
           theirs: list[int]) -> tuple[int, int, int]:
    """Child descriptors for stdin, stdout, stderr; the engine's ends go into ``session``."""
    def devnull(flags: int) -> int:
        fd = os.open(os.devnull, flags | os.O_CLOEXEC)
        theirs.append(fd)
        return fd

    if cfg.get("AttachStdin") and not detach:
        mine, child = socket.socketpair()
        ours.append(mine)
        theirs.append(os.dup(child.fileno()))
        child.close()
        session.stdin = mine
        stdin = theirs[-1]
    else:
        stdin = devnull(os.O_RDONLY)
    out: list[int] = []
    for name in ("stdout", "stderr"):
        if cfg.get("Attach" + name.capitalize()) and not detach:
            r, w = os.pipe()
            ours.append(r)
            theirs.append(w)
            setattr(session, name, r)
            out.append(w)
        else:
            out.append(devnull(os.O_WRONLY))
    return stdin, out[0], out[1]


def _wait(eng: Engine, c: Container, inst: ExecInstance, handle: ExecProcess) -> None:
    code = handle.wait()
    inst.exit_code = code
    inst.running = False
    inst.done.set()
    if not eng.closed:
        eng.event(c, "exec_die", execID=inst.id, exitCode=str(code))


def resize(eng: Engine, inst: ExecInstance, height: int, width: int) -> None:
    if inst.pty_master is None or not inst.running:
        raise ContainerConflict(inst.container_id, f"exec {inst.id} has no running terminal to resize",
                                "resize applies to an exec started with Tty")
    if height <= 0 or width <= 0:
        raise InvalidParameter(f"invalid size {height}x{width}", "h", "give positive h and w")
    try:
        fcntl.ioctl(inst.pty_master, termios.TIOCSWINSZ, struct.pack("HHHH", height, width, 0, 0))
    except OSError as e:
        raise ContainerConflict(inst.container_id, f"cannot resize exec {inst.id}: {e.strerror}") from e
