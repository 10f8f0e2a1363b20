"""The runtime's public face: OCI-style lifecycle operations on containers.

    rt = Runtime(Path("/run/sandbox/runtime"))
    rt.create("web", spec, bundle)      # namespaces, rootfs, cgroup, security: blocked before exec
    rt.start("web")                     # exec the process
    rt.wait("web")                      # ExitStatus(code=0, signal=None, oom_killed=False)
    rt.delete("web")

It knows nothing of images, HTTP or Kubernetes: a ``Spec`` and a root directory are all it
needs. Each operation checks the state machine first and raises ``StateError`` naming both
states when the transition is not allowed.
"""

from __future__ import annotations

import errno
import gc
import os
import signal
import time
from pathlib import Path

from sandbox.errors import SandboxError, SpecError
from sandbox.linux import proc
from sandbox.linux.trace import NULL_TRACER, Tracer
from sandbox.records import Record, field
from sandbox.runtime import channel, namespaces, rootfs, shim
from sandbox.runtime.fds import close_fds_except, wait_readable
from sandbox.runtime.init import InitConfig
from sandbox.runtime.spec import Spec
from sandbox.runtime.state import State, StateDir, Status, check_transition

_CREATE_TIMEOUT = 30.0

# Not typing.TYPE_CHECKING: importing typing is part of every container start.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import threading
    from collections.abc import Callable

    from sandbox.runtime.cgroups.warmup import MigrationWarmup
    from sandbox.runtime.exec import ExecProcess
    from sandbox.runtime.forkserver import ForkServer
    from sandbox.runtime.relay import RelayConfig
    from sandbox.runtime.resources import Resources
    from sandbox.runtime.spec import Process


class ProcessIO(Record, repr=False, eq=False):
    """Where the container's stdio goes.

    - ``inherit``: the caller's own 0/1/2 (``runtime run`` in a terminal);
    - ``fds``: the given descriptors;
    - ``pty``: a new pseudo-terminal; ``Created.pty_master`` is the caller's end;
    - ``managed``: the shim owns the container's stdio (the engine's containers): it writes
      output to a json-file log and serves ``attach.sock`` (see ``sandbox.runtime.relay``),
      with a pipe or a pty behind it.
    """

    mode: str = "inherit"
    fds: tuple[int, int, int] | None = None
    console_size: tuple[int, int] | None = None
    log_path: str | None = None
    open_stdin: bool = False
    stdin_once: bool = False
    tty: bool = False

    @classmethod
    def inherit(cls) -> "ProcessIO":
        return cls("inherit")

    @classmethod
    def log(cls, path: str) -> "ProcessIO":
        return cls("managed", log_path=path)

    @classmethod
    def pty(cls, rows: int = 24, cols: int = 80) -> "ProcessIO":
        return cls("pty", console_size=(rows, cols))

    @classmethod
    def managed(cls, log_path: str | None = None, *, open_stdin: bool = False, stdin_once: bool = False,
                tty: bool = False, size: tuple[int, int] | None = None) -> "ProcessIO":
        return cls("managed", log_path=log_path, open_stdin=open_stdin, stdin_once=stdin_once, tty=tty,
                   console_size=size)


class _Stdio(Record, repr=False, eq=False):
    """How one container's stdio is wired, from the caller's side of the fork."""

    init_stdio: tuple[int, int, int] | None = None
    pty_slave: int | None = None
    caller_master: int | None = None
    relay: "RelayConfig | None" = None
    parent_closes: list[int] = field(default_factory=list)
    """Descriptors only the children need: closed here once the shim is forked."""
    init_closes: list[int] = field(default_factory=list)
    """The shim's ends, which the init must not keep."""


class Created(Record, repr=False, eq=False):
    state: State
    pty_master: int | None = None


class ExitStatus(Record, frozen=True):
    code: int
    signal: int | None = None
    oom_killed: bool = False


class Runtime:
    def __init__(self, root: Path, *, tracer: Tracer = NULL_TRACER, cgroup_parent: str = "sandbox",
                 cgroup_root: Path = Path("/sys/fs/cgroup"), cgroup_mode: object | None = None) -> None:
        self.root = Path(root)
        self.tracer = tracer
        self.cgroup_parent = cgroup_parent
        self.cgroup_root = cgroup_root
        self._cgroup_mode = cgroup_mode
        self._v1_hierarchies: list[tuple[str, str, str]] | None = None
        self._shims: dict[str, int] = {}
        """Container id -> the shim we forked and must reap (whoever pops it reaps it)."""
        self._done: dict[str, int] = {}
        """Container id -> the read end of the pipe its shim closes once the exit is recorded."""
        self._reapers: dict[str, threading.Thread] = {}
        """Container id -> the thread reaping its shim, which is ending (see ``reap_ending``)."""
        self._mount_ns: dict[str, int] = {}
        """Container id -> our hold on its mount namespace (see ``_hold_mounts``)."""
        self._warmup: MigrationWarmup | None = None
        self._forker: ForkServer | None = None
        self._shim_fds: dict[str, int] = {}
        """Container id -> a pidfd of its shim, when the fork server forked it (see ``_end_of_shim``)."""

    # -- helpers ---------------------------------------------------------------------------

    def _mode(self) -> object:
        if self._cgroup_mode is None:
            from sandbox.runtime.cgroups import detect_mode

            self._cgroup_mode = detect_mode()
        return self._cgroup_mode

    def _cgroup(self, name: str, tracer: Tracer | None = None):  # -> CgroupManager
        from sandbox.runtime.cgroups import open_manager

        return open_manager(name, parent=self.cgroup_parent, tracer=tracer or self.tracer, root=self.cgroup_root,
                            mode=self._mode())  # type: ignore[arg-type]

    def warm_migrations(self) -> None:
        """For a long-lived caller (the engine): keep an anchor process whose moves start
        each create's cgroup grace period early (see ``sandbox.runtime.cgroups.warmup``).
        ``close`` stops it."""
        from sandbox.runtime.cgroups.warmup import MigrationWarmup

        if self._warmup is None:
            self._warmup = MigrationWarmup.start(lambda name: self._cgroup(name, NULL_TRACER))

    def use_fork_server(self) -> None:
        """For a long-lived caller with a big heap (the engine): fork the shims from a small
        server process instead of from the caller (see ``sandbox.runtime.forkserver``).
        ``close`` ends it."""
        from sandbox.runtime.forkserver import ForkServer

        if self._forker is None:
            self._forker = ForkServer.start(str(self.root))

    @property
    def forks_caller(self) -> bool:
        """Whether create and exec fork the caller's own process (there is no fork server)."""
        return self._forker is None

    def close(self) -> None:
        """Stop the anchor and the fork server and let go of the mount namespaces we hold;
        the containers and their shims go on (a later runtime finds them in the state
        directory)."""
        if self._warmup is not None:
            self._warmup.close()
            self._warmup = None
        if self._forker is not None:
            self._forker.close()
            self._forker = None
        for fd in self._shim_fds.values():
            os.close(fd)
        self._shim_fds.clear()
        for container in list(self._mount_ns):
            self._release_mounts(container)  # a reaper may have got there first: pop, not []

    def _hierarchies(self) -> list[tuple[str, str, str]]:
        """(name, mount options, mount point) of each v1 hierarchy; empty on pure v2."""
        if self._v1_hierarchies is None:
            from sandbox.runtime.cgroups import CgroupMode

            found: list[tuple[str, str, str]] = []
            if self._mode() != CgroupMode.V2:
                for m in proc.read_mountinfo():
                    if m.fstype != "cgroup":
                        continue
                    opts = ",".join(o for o in m.super_options.split(",")
                                    if o not in ("rw", "ro") and not o.startswith("release_agent"))
                    if opts and all(opts != f[1] for f in found):
                        found.append((os.path.basename(m.mount_point), opts, m.mount_point))
            self._v1_hierarchies = found
        return self._v1_hierarchies

    def _dir(self, container: str) -> StateDir:
        return StateDir(self.root, container)

    # -- create ----------------------------------------------------------------------------

    def create(self, container: str, spec: Spec, bundle: Path | str = ".", *,
               io: ProcessIO | None = None, detach: bool = True) -> Created:
        io = io or ProcessIO.inherit()
        sd = self._dir(container)
        if sd.exists():
            from sandbox.errors import ContainerExists

            raise ContainerExists(container)
        # Everything that can be refused is checked before anything is made.
        from sandbox.runtime.cgroups import validate_resources

        validate_resources(spec.linux.resources)
        if spec.overlay is None and not spec.root.path.is_dir():
            raise SpecError("root.path", f"{spec.root.path} does not exist or is not a directory")
        if spec.process.terminal and not (io.mode == "pty" or (io.mode == "managed" and io.tty)):
            raise SpecError("process.terminal", "a terminal needs a pty",
                            "use `sandbox runtime run` in a terminal, or set terminal to false")
        compiled = None
        if spec.linux.seccomp is not None:
            from sandbox.runtime.seccomp import compile_profile

            compiled = compile_profile(spec.linux.seccomp)
        ns = namespaces.plan([(n.type, n.path) for n in spec.linux.namespaces])
        cgroup_name = spec.linux.cgroups_path or container

        sd.make()
        cg = None
        to_close: list[int] = []
        shim_pid = 0
        try:
            os.mkfifo(sd.exec_fifo, 0o622)
            os.chmod(sd.exec_fifo, 0o622)
            cg = self._cgroup(cgroup_name)
            cg.create()
            cg.apply(spec.linux.resources)
            if self._warmup is not None:
                # The init's move into ``cg`` comes a few ms from now. After the mkdirs, not
                # before: the kick's move holds cgroup_mutex through its grace period, and
                # a cgroup mkdir, in any hierarchy, waits for that mutex.
                self._warmup.kick()
            plan = self._rootfs_plan(spec, sd, cgroup_name)

            sync_r, sync_w = os.pipe()
            to_close += [sync_r, sync_w]
            # The shim closes its end once it has recorded the exit: that comes a few
            # milliseconds before the shim itself is gone (the kernel tears down its copy of
            # our address space first), and the exit is all a waiter needs.
            done_r, done_w = os.pipe()
            to_close += [done_r, done_w]
            fifo_fd = os.open(sd.exec_fifo, os.O_PATH | os.O_CLOEXEC)
            to_close.append(fifo_fd)
            wiring = self._stdio(io, sd)
            to_close += wiring.parent_closes
            if wiring.pty_slave is not None:
                # By path, not /proc/self/fd: the fd's mount is the host namespace's, and
                # the kernel refuses to bind from a mount outside the caller's namespace.
                plan.console = os.ttyname(wiring.pty_slave)
            init_cfg = InitConfig(
                container=container, unshare_flags=ns.unshare_flags, join=ns.join,
                hostname=spec.hostname, new_net=ns.new_net, plan=plan, process=spec.process,
                seccomp=compiled, stdio=wiring.init_stdio, pty_slave=wiring.pty_slave, sync_fd=sync_w,
                fifo_fd=fifo_fd, trace=self.tracer.enabled, close_fds=wiring.init_closes,
            )
            shim_cfg = shim.ShimConfig(
                init=init_cfg, state=sd, cgroup=cg, new_pid_ns=ns.new_pid, join_pid_ns=ns.join_pid,
                detach=detach, relay=wiring.relay, done_fd=done_w,
            )
            init_cfg.close_fds.append(done_w)
            shim_pid = self._spawn_shim(container, shim_cfg, sync_r, done_r, wiring.caller_master)
            self._shims[container] = shim_pid
            self._done[container] = done_r
            for fd in to_close:
                if fd not in (sync_r, done_r):
                    os.close(fd)
            to_close = [sync_r]
            if wiring.relay is not None and wiring.relay.listener is not None:
                wiring.relay.listener.close()
            # While the init builds the container (milliseconds of its own), not after.
            sd.write_config(spec.to_oci())
            shim_start = proc.start_time(shim_pid) or 0
            init_pid = self._await_ready(sync_r)
            os.close(sync_r)
            to_close = []
            self._hold_mounts(container, init_pid)
            st = State(id=container, bundle=str(bundle), status=Status.CREATED, pid=init_pid,
                       console=plan.console or "",
                       pid_start=proc.start_time(init_pid) or 0, shim_pid=shim_pid,
                       shim_start=shim_start, created=time.time(),
                       cgroup=cgroup_name, annotations=dict(spec.annotations))
            sd.write(st)
            return Created(st, wiring.caller_master)
        except BaseException:
            for fd in to_close:
                try:
                    os.close(fd)
                except OSError:
                    pass
            done = self._done.pop(container, None)
            if done is not None:
                os.close(done)
            self._abort(container, sd, cg, shim_pid)
            raise

    def _spawn_shim(self, container: str, cfg: shim.ShimConfig, *parent_only: int | None) -> int:
        """Start the shim: from the fork server when there is one, else by forking ourselves.
        ``parent_only`` are our ends of its pipes, which the shim must not hold."""
        if self._forker is not None:
            # Our own 0-2 too: a shim without a log (inherit io) keeps them.
            pid, pidfd = self._forker.spawn(cfg, shim.fds_needed(cfg) | {0, 1, 2})
            self._shim_fds[container] = pidfd
            return pid
        # Freeze the garbage collector across fork: a collection in the child would touch
        # (and so copy) every object page it shares with us. A caller that runs with the
        # collector off (``sandbox runtime``) keeps it off: turned on here, its first
        # collection would walk every object the imports made, in the middle of a start.
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            pid = os.fork()
            if pid == 0:
                for fd in parent_only:
                    if fd is not None:
                        os.close(fd)
                # The shim outlives this call: it must not keep the caller's other
                # descriptors (client connections, other containers' pipes) open.
                close_fds_except(shim.fds_needed(cfg))
                shim.run(cfg)
        finally:
            if gc_was_enabled:
                gc.enable()
        return pid

    def _end_of_shim(self, container: str, pid: int) -> None:
        """Wait until the shim is gone: reap it when it is our child, or wait on the pidfd
        the fork server gave for it (its exit status is the server's to reap)."""
        pidfd = self._shim_fds.pop(container, None)
        if pidfd is None:
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass  # a caller that waited for any child got it; nothing is left to reap
            return
        try:
            wait_readable(pidfd)
        finally:
            os.close(pidfd)

    def _rootfs_plan(self, spec: Spec, sd: StateDir, cgroup_name: str) -> rootfs.RootfsPlan:
        if spec.overlay is not None:
            target = sd.path / "rootfs"
            target.mkdir()
            plan = rootfs.RootfsPlan(target=str(target), overlay_data=spec.overlay.mount_data())
        else:
            plan = rootfs.RootfsPlan(target=str(spec.root.path), source_dir=str(spec.root.path))
        plan.readonly = spec.root.readonly
        plan.mounts = [(m.destination, m.type, m.source, list(m.options)) for m in spec.mounts]
        plan.masked = list(spec.linux.masked_paths)
        plan.readonly_paths = list(spec.linux.readonly_paths)
        plan.sysctl = dict(spec.linux.sysctl)
        if any(m.type == "cgroup" for m in spec.mounts):
            rel = f"{self.cgroup_parent}/{cgroup_name}"
            plan.cgroup_ns = any(n.type == "cgroup" and not n.path for n in spec.linux.namespaces)
            plan.cgroup_v1_hierarchies = [(name, opts, f"{point}/{rel}")
                                          for name, opts, point in self._hierarchies()]
            plan.cgroup_v2_dir = f"{self.cgroup_root}/{rel}"
        return plan

    @staticmethod
    def _stdio(io: ProcessIO, sd: StateDir) -> _Stdio:
        if io.mode == "inherit":
            return _Stdio()
        if io.mode == "fds":
            if io.fds is None:
                raise SandboxError("ProcessIO('fds') needs three descriptors")
            return _Stdio(init_stdio=io.fds)
        if io.mode == "pty" or (io.mode == "managed" and io.tty):
            master, slave = _openpty(io.console_size)
            if io.mode == "pty":
                return _Stdio(pty_slave=slave, caller_master=master, parent_closes=[slave])
        if io.mode != "managed":
            raise SandboxError(f"unknown io mode {io.mode!r}")
        import socket

        from sandbox.runtime.relay import STDERR, STDOUT, RelayConfig, bind_unix

        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        bind_unix(listener, str(sd.attach_socket))
        listener.listen(16)
        if io.tty:
            relay = RelayConfig(outputs={master: STDOUT}, stdin_fd=master if io.open_stdin else None,
                                listener=listener, log_path=io.log_path, tty=True)
            return _Stdio(pty_slave=slave, relay=relay, parent_closes=[slave, master],
                          init_closes=[master, listener.fileno()])
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        if io.open_stdin:
            in_r, in_w = os.pipe()
        else:
            in_r, in_w = os.open(os.devnull, os.O_RDONLY | os.O_CLOEXEC), None
        relay = RelayConfig(outputs={out_r: STDOUT, err_r: STDERR}, stdin_fd=in_w, listener=listener,
                            log_path=io.log_path, stdin_once=io.stdin_once)
        shim_ends = [out_r, err_r] + ([in_w] if in_w is not None else [])
        return _Stdio(init_stdio=(in_r, out_w, err_w), relay=relay,
                      parent_closes=[in_r, out_w, err_w] + shim_ends,
                      init_closes=shim_ends + [listener.fileno()])

    def _await_ready(self, sync_r: int) -> int:
        init_pid = 0
        for msg in channel.receive(sync_r, _CREATE_TIMEOUT):
            kind = msg["t"]
            if kind == "trace":
                self.tracer.forward(channel.to_record(msg))
            elif kind == "traces":
                for rec in channel.to_records(msg):
                    self.tracer.forward(rec)
            elif kind == "pid":
                init_pid = msg["pid"]
            elif kind == "ready":
                return init_pid
            elif kind == "error":
                if msg.get("field"):
                    raise SpecError(msg["field"], msg["message"])
                raise SandboxError(f"container init failed: {msg['message']}")
        raise SandboxError("container init exited before it was ready")

    def _hold_mounts(self, container: str, init_pid: int) -> None:
        """Hold the container's mount namespace from here as well as from its shim.

        Whoever lets go of a mount namespace last pays for its teardown: every mount in it
        undone, then an RCU grace period. Left to the shim, that came between the recorded
        exit and the shim's own end, which ``reap_ending`` waits for before the exit is
        reported. Held here too, the shim's exit is quick, and the thread that reaps it lets
        go afterwards, off everyone's path."""
        fd = shim.hold_mount_namespace(init_pid)
        if fd is not None:
            self._mount_ns[container] = fd

    def _release_mounts(self, container: str) -> None:
        fd = self._mount_ns.pop(container, None)
        if fd is not None:
            os.close(fd)

    def _abort(self, container: str, sd: StateDir, cg, shim_pid: int) -> None:
        """Undo a half-made container: processes, cgroup, state directory."""
        self._release_mounts(container)
        if cg is not None:
            try:
                cg.kill_all(signal.SIGKILL)
            except (SandboxError, OSError):
                pass
        if shim_pid:
            self._end_of_shim(container, shim_pid)
            self._shims.pop(container, None)
        if cg is not None:
            try:
                cg.destroy()
            except (SandboxError, OSError):
                pass
        sd.remove()

    # -- the rest of the lifecycle -----------------------------------------------------------

    def state(self, container: str) -> State:
        sd = self._dir(container)
        st = sd.read()
        st.status = self._status(sd, st)
        ex = sd.read_exit()
        if ex is not None:
            st.exit_code = ex["code"]  # type: ignore[assignment]
            st.exit_signal = ex["signal"]  # type: ignore[assignment]
            st.oom_killed = bool(ex["oom_killed"])
            st.finished = float(ex["finished"])  # type: ignore[arg-type]
        return st

    def _status(self, sd: StateDir, st: State) -> Status:
        if sd.exit_file.exists() or not st.pid:
            return Status.STOPPED if st.pid else st.status
        if proc.start_time(st.pid) != st.pid_start or proc.process_state(st.pid) in ("Z", "X", None):
            return Status.STOPPED
        if sd.exec_fifo.exists():
            return Status.CREATED
        try:
            if self._cgroup(st.cgroup).is_frozen():
                return Status.PAUSED
        except (SandboxError, OSError):
            pass
        return Status.RUNNING

    def list(self) -> list[State]:
        if not self.root.is_dir():
            return []
        from sandbox.runtime.state import empty_trash

        # A listing is what an engine's start reads: the time to delete what a crash left.
        empty_trash(self.root)
        out = []
        for entry in sorted(os.listdir(self.root)):
            if entry.startswith("."):
                continue  # the trash
            try:
                out.append(self.state(entry))
            except SandboxError:
                continue
        return out

    def start(self, container: str) -> State:
        sd = self._dir(container)
        st = self.state(container)
        check_transition(container, "start", st.status)
        # A non-blocking open succeeds at once; the init's blocking open for writing then
        # completes, and its one byte says it is about to exec.
        fd = os.open(sd.exec_fifo, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        try:
            deadline = time.monotonic() + _CREATE_TIMEOUT
            while True:
                if wait_readable(fd, 0.05):
                    try:
                        if os.read(fd, 1) == b"0":
                            break
                    except BlockingIOError:
                        pass
                if proc.start_time(st.pid) != st.pid_start or time.monotonic() > deadline:
                    raise SandboxError(f"container {container} init is gone; cannot start it",
                                       f"see `sandbox runtime state {container}`")
        finally:
            os.close(fd)
        os.unlink(sd.exec_fifo)
        st.status = Status.RUNNING
        st.started = time.time()
        sd.write(st)
        self.tracer.emit("start", container=container, pid=st.pid)
        return st

    def wait(self, container: str, timeout: float | None = None) -> ExitStatus:
        """Block until the container's shim has recorded the exit."""
        sd = self._dir(container)
        st = sd.read()
        done = self._done.pop(container, None)
        if done is not None:
            try:
                _until_eof(done, timeout)
            finally:
                os.close(done)
            ex = sd.read_exit()
            if ex is not None:
                shim_pid = self._shims.pop(container, None)
                if shim_pid:
                    self._reapers[container] = _reap_soon(shim_pid, lambda: self._end_of_shim(container, shim_pid),
                                                          lambda: self._release_mounts(container))
                return ExitStatus(code=int(ex["code"]), signal=ex["signal"],  # type: ignore[arg-type]
                                  oom_killed=bool(ex["oom_killed"]))
        if ex := sd.read_exit():
            # Recorded: the shim has nothing left to do but end, which needs no waiting for
            # (whoever holds it in ``_shims`` reaps it).
            return ExitStatus(code=int(ex["code"]), signal=ex["signal"],  # type: ignore[arg-type]
                              oom_killed=bool(ex["oom_killed"]))
        shim_pid = self._shims.pop(container, None)
        reaped = False
        if shim_pid:
            self._end_of_shim(container, shim_pid)
            reaped = True
        if not reaped and proc.start_time(st.shim_pid) == st.shim_start:
            _wait_pid(st.shim_pid, timeout)
        ex = sd.read_exit()
        if ex is None:
            return ExitStatus(code=255)
        return ExitStatus(code=int(ex["code"]), signal=ex["signal"],  # type: ignore[arg-type]
                          oom_killed=bool(ex["oom_killed"]))

    def reap_ending(self, container: str | None = None, timeout: float = 5.0) -> None:
        """Wait until the shim whose exit ``wait`` has answered is gone too (all of them
        without ``container``). ``wait`` answers as soon as the exit is recorded; a caller
        does its own work meanwhile and calls this before it reports the container ended,
        so that no process of it is left by then."""
        deadline = time.monotonic() + timeout
        for cid in [container] if container is not None else list(self._reapers):
            t = self._reapers.get(cid)
            if t is not None:
                t.join(max(0.0, deadline - time.monotonic()))
                if not t.is_alive():
                    self._reapers.pop(cid, None)

    def kill(self, container: str, sig: int = signal.SIGTERM, all_processes: bool = False) -> None:
        st = self.state(container)
        check_transition(container, "kill", st.status)
        self.tracer.emit("kill", container=container, signal=sig, all=all_processes)
        if all_processes:
            self._cgroup(st.cgroup).kill_all(sig)
            return
        try:
            os.kill(st.pid, sig)
        except ProcessLookupError:
            pass

    def pause(self, container: str) -> None:
        st = self.state(container)
        check_transition(container, "pause", st.status)
        self._cgroup(st.cgroup).freeze()

    def resume(self, container: str) -> None:
        st = self.state(container)
        check_transition(container, "resume", st.status)
        self._cgroup(st.cgroup).thaw()

    def delete(self, container: str, force: bool = False) -> None:
        sd = self._dir(container)
        st = self.state(container)
        if st.status in (Status.RUNNING, Status.PAUSED) and not force:
            check_transition(container, "delete", st.status)
        cg = self._cgroup(st.cgroup)
        if st.status != Status.STOPPED:
            # A created container's init is blocked on the exec fifo: kill it like runc does.
            cg.kill_all(signal.SIGKILL)
            if st.status == Status.PAUSED:
                cg.thaw()
        self.wait(container)
        cg.destroy()
        sd.discard()
        if container not in self._reapers:
            self._release_mounts(container)  # no shim of ours is ending: nothing to wait for
        self.tracer.emit("delete", container=container)

    def exec(self, container: str, process: "Process", io: ProcessIO | None = None) -> "ExecProcess":
        """Start ``process`` inside a running container; the caller waits on the result."""
        from sandbox.runtime import exec as rexec
        from sandbox.runtime.spec import parse_spec

        st = self.state(container)
        check_transition(container, "exec", st.status)
        spec = parse_spec(self._dir(container).read_config(), Path(st.bundle))
        compiled = None
        if spec.linux.seccomp is not None:
            from sandbox.runtime.seccomp import compile_profile

            compiled = compile_profile(spec.linux.seccomp)
        io = io or ProcessIO.inherit()
        if io.mode not in ("inherit", "fds", "pty"):
            raise SandboxError(f"exec supports inherit, fds and pty io, not {io.mode!r}")
        wanted = {n.type for n in spec.linux.namespaces}
        ns_fds: list[tuple[int, int, str]] = []
        to_close: list[int] = []
        try:
            for spec_type, proc_name, flag in rexec.JOIN_ORDER:
                if spec_type in wanted:
                    path = f"/proc/{st.pid}/ns/{proc_name}"
                    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
                    ns_fds.append((fd, flag, path))
                    to_close.append(fd)
            master = slave = None
            if io.mode == "pty":
                master, slave = _openpty(io.console_size)
                to_close.append(slave)
            sync_r, sync_w = os.pipe()
            to_close.append(sync_w)
            status_r, status_w = os.pipe()
            to_close.append(status_w)
            plan = rexec.ExecPlan(ns_fds=ns_fds, join_cgroup=self._cgroup(st.cgroup), process=process,
                                  seccomp=compiled, stdio=io.fds if io.mode == "fds" else None, pty_slave=slave,
                                  sync_fd=sync_w, trace=self.tracer.enabled, status_fd=status_w)
            try:
                if self._forker is not None:
                    # Our own 0-2 too: a process with inherited stdio (no fds given) gets them.
                    pid, pidfd = self._forker.spawn(plan, rexec.fds_needed(plan) | {0, 1, 2})
                    os.close(pidfd)  # the status pipe's end says when the helper is gone
                else:
                    pid = rexec.spawn(plan, [sync_r, status_r] + ([master] if master is not None else []))
            except BaseException:
                for fd in (sync_r, status_r, master):
                    if fd is not None:
                        os.close(fd)
                raise
        finally:
            for fd in to_close:
                os.close(fd)
        handle = rexec.ExecProcess(pid=pid, status_fd=status_r, pty_master=master, reap=self.forks_caller)
        try:
            for msg in channel.receive(sync_r, _CREATE_TIMEOUT):
                if msg["t"] == "trace":
                    self.tracer.forward(channel.to_record(msg))
                elif msg["t"] == "ready":
                    break
                elif msg["t"] == "error":
                    handle.wait()
                    raise SandboxError(f"exec failed: {msg['message']}")
            else:
                handle.wait()
                raise SandboxError("exec failed: the process exited before it started")
        finally:
            os.close(sync_r)
        return handle

    def resize(self, container: str, rows: int, cols: int) -> None:
        """Set a terminal container's window size; the kernel sends its processes SIGWINCH."""
        import fcntl
        import struct
        import termios

        st = self.state(container)
        if not st.console:
            raise SandboxError(f"container {container} has no terminal", "resize needs a container made with tty")
        fd = os.open(st.console, os.O_RDWR | os.O_NOCTTY | os.O_CLOEXEC)
        try:
            fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        finally:
            os.close(fd)

    def cgroup(self, container: str):  # -> CgroupManager
        """The cgroup of a live container: for stats, top and the pictures."""
        return self._cgroup(self.state(container).cgroup)

    def update(self, container: str, resources: "Resources") -> None:
        """Change the limits of a created, running or paused container (``docker update``);
        refused like ``create`` refuses them when impossible."""
        from sandbox.runtime.cgroups import validate_resources

        st = self.state(container)
        if st.status == Status.STOPPED:
            check_transition(container, "kill", st.status)
        validate_resources(resources)
        self._cgroup(st.cgroup).apply(resources)
        self.tracer.emit("update", container=container)

    def attach_socket(self, container: str) -> Path:
        """The shim's attach socket of a container created with managed io."""
        return self._dir(container).attach_socket

    def run(self, container: str, spec: Spec, bundle: Path | str = ".", *,
            io: ProcessIO | None = None) -> ExitStatus:
        """create + start + wait + delete: ``runc run`` without a terminal."""
        self.create(container, spec, bundle, io=io, detach=False)
        try:
            self.start(container)
            return self.wait(container)
        finally:
            self.delete(container, force=True)


def _until_eof(fd: int, timeout: float | None) -> None:
    """Block until every writer of a pipe has closed it (or ``timeout`` seconds pass)."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        left = None if deadline is None else max(0.0, deadline - time.monotonic())
        if not wait_readable(fd, left):
            return
        if not os.read(fd, 4096):
            return


def _reap_soon(pid: int, end: "Callable[[], None]", then: "Callable[[], None]") -> "threading.Thread":
    """Wait for a shim that is ending (``end``), off the caller's path: its exit takes a few
    milliseconds and nothing waits for it. The caller took it out of ``_shims``, so no one
    else reaps it (a second waitpid could take a later child that got the same pid).
    ``then`` runs once it is gone."""
    import threading

    def reap() -> None:
        end()
        then()

    t = threading.Thread(target=reap, name=f"reap-{pid}", daemon=True)
    t.start()
    return t


def _wait_pid(pid: int, timeout: float | None) -> None:
    """Wait for a process that is not our child: a pidfd becomes readable when it exits."""
    try:
        fd = os.pidfd_open(pid)
    except OSError as e:
        if e.errno == errno.ESRCH:
            return
        raise
    try:
        wait_readable(fd, timeout)
    finally:
        os.close(fd)


def _openpty(size: tuple[int, int] | None) -> tuple[int, int]:
    import fcntl
    import struct
    import termios

    master, slave = os.openpty()
    rows, cols = size or (24, 80)
    fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    return master, slave
