"""A small process that forks the shims (and exec helpers) for a long-lived caller (the engine).

Why not fork the engine itself: a shim lives as long as its container, and a forked shim
shares every page of its parent until one of them writes it. The engine is a 30 MiB
interpreter whose every allocation and reference count is a write, so each running shim
made the engine copy pages it touched afterwards (about 1,800 faults per container, each
a page copy), and the fork itself copied the page tables of all of it. The server is a
fresh interpreter with only the runtime loaded: its forks are cheap, it writes almost
nothing between them, and the shims (and the inits they fork) start from a small heap.

    server = ForkServer.start(label="/run/sandbox/runtime")
    shim_pid, shim_fd = server.spawn(shim_cfg, keep={sync_w, fifo_fd, ...})

The shim's configuration goes over a socketpair as a pickle, and the descriptors it needs
go with it (SCM_RIGHTS). In the child they are moved back to the numbers the caller had,
with the same close-on-exec flags, so the configuration's descriptor numbers stay true.
The answer carries the shim's pid and a pidfd for it: the shim is the server's child, not
the caller's, so the caller waits for its end through the pidfd.

A ``docker exec`` helper is forked the same way, from an ``ExecPlan`` instead of a
``ShimConfig``: it lives as long as the process it runs, so a fork of the engine would copy
pages for as long, too.

The server ends when the caller closes its end (or dies): it reads end-of-file. The shims
it forked go on, as they did when the engine forked them itself.
"""

from __future__ import annotations

import fcntl
import gc
import io
import os
import pickle
import signal
import socket
import struct
import subprocess
import sys
import threading

from sandbox.errors import SandboxError
from sandbox.linux.trace import NULL_TRACER, Tracer
from sandbox.runtime import exec as container_exec
from sandbox.runtime import shim
from sandbox.runtime.fds import close_fds_except

# Not typing.TYPE_CHECKING: importing typing is part of every container start.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from sandbox.runtime.exec import ExecPlan
    from sandbox.runtime.shim import ShimConfig

_PRELOAD = (
    "fcntl", "termios", "sandbox.runtime.relay", "sandbox.runtime.seccomp",
    "sandbox.runtime.cgroups.fs.manager", "sandbox.runtime.cgroups.fs2.manager",
)
"""What the shims and their inits load as they go (the relay, a pty, the cgroup managers
the pickles name): loaded once in the server instead of once in every child."""

_MAX_FDS = 250
"""SCM_MAX_FD is 253: the most descriptors one message may carry."""
_MAX_MESSAGE = 1 << 20
_COUNT = struct.Struct("=I")
_ANSWER = struct.Struct("=ii")
"""(pid, errno): pid 0 with the errno of a failed fork."""


class ForkServerError(SandboxError):
    def __init__(self, what: str) -> None:
        super().__init__(f"the runtime's fork server failed: {what}",
                         "the engine's log has the server's own error; restarting the engine starts a new one")


def _null_tracer() -> Tracer:
    return NULL_TRACER


def _socket_at(fd: int, family: int, kind: int) -> socket.socket:
    return socket.socket(family, kind, fileno=fd)


def _reduce_tracer(tracer: Tracer) -> tuple[object, tuple[()]]:
    return _null_tracer, ()


def _reduce_socket(sock: socket.socket) -> tuple[object, tuple[int, int, int]]:
    return _socket_at, (sock.fileno(), int(sock.family), int(sock.type))


_REDUCERS = {Tracer: _reduce_tracer, socket.socket: _reduce_socket}
"""How the two things that cannot cross as they are cross. A socket goes as its descriptor
number (the descriptor itself goes by SCM_RIGHTS, and the socket is made again only once
it is back at that number). A tracer goes as the null tracer: its sinks belong to the
caller (an engine's trace bus and its locks), and the shim sends its records down the sync
pipe with a tracer of its own. A dispatch table, not ``persistent_id``: the pickler looks
types up in C instead of calling back into Python for every object."""


def encode(cfg: ShimConfig | ExecPlan, keep: set[int]) -> tuple[bytes, list[int]]:
    """The request and the descriptors to pass with it (the open ones of ``keep``).

    The request is a header, the descriptors' numbers and close-on-exec flags as the
    caller has them, and then a pickle of ``cfg``."""
    fds: list[int] = []
    flags = bytearray()
    for fd in sorted(keep):
        try:
            fd_flags = fcntl.fcntl(fd, fcntl.F_GETFD)
        except OSError:
            continue  # not open here (the caller's stdin, say): the shim will not have it either
        fds.append(fd)
        flags.append(1 if fd_flags & fcntl.FD_CLOEXEC else 0)
    if len(fds) > _MAX_FDS:
        raise ForkServerError(f"a child needs {len(fds)} descriptors, more than one message carries")
    buf = io.BytesIO()
    buf.write(_COUNT.pack(len(fds)))
    buf.write(struct.pack(f"={len(fds)}i", *fds))
    buf.write(flags)
    pickler = pickle.Pickler(buf, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _REDUCERS
    pickler.dump(cfg)
    return buf.getvalue(), fds


def decode_header(payload: bytes) -> tuple[list[int], list[bool], int]:
    """The numbers and close-on-exec flags of ``encode``, and where the pickle starts."""
    (n,) = _COUNT.unpack_from(payload)
    at = _COUNT.size
    numbers = list(struct.unpack_from(f"={n}i", payload, at))
    at += 4 * n
    flags = [bool(b) for b in payload[at:at + n]]
    return numbers, flags, at + n


def _launch(label: str) -> tuple[subprocess.Popen[bytes], socket.socket]:
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    try:
        # A fresh interpreter, not a fork of ours: that is the point. Its stdio is the
        # caller's, so a failure it prints lands in the engine's log.
        proc = subprocess.Popen([sys.executable, "-m", "sandbox.runtime.forkserver", str(theirs.fileno()), label],
                                pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL)
    except OSError as e:
        ours.close()
        raise ForkServerError(f"cannot start {sys.executable}: {e}") from None
    finally:
        theirs.close()
    return proc, ours


class ForkServer:
    """The caller's side: one request at a time over one socketpair."""

    def __init__(self, proc: subprocess.Popen[bytes], sock: socket.socket, label: str = "") -> None:
        self.proc = proc
        self.label = label
        self._sock = sock
        self._lock = threading.Lock()

    @classmethod
    def start(cls, label: str) -> ForkServer:
        """``label`` goes on the server's command line, which its shims inherit (they are
        forks, not execs): ``ps`` then tells whose shims they are. The runtime passes its
        state root."""
        return cls(*_launch(label), label)

    def _restart_if_gone(self) -> None:
        """A server killed by hand or by the OOM killer is replaced, rather than every
        create failing from then on. The caller holds ``_lock``."""
        if self.proc.poll() is None:
            return
        print(f"sandbox: the fork server exited ({self.proc.returncode}); starting a new one", file=sys.stderr)
        self._sock.close()
        self.proc, self._sock = _launch(self.label)

    def spawn(self, cfg: ShimConfig | ExecPlan, keep: set[int]) -> tuple[int, int]:
        """Fork a shim (or an exec helper) that runs ``cfg`` with the descriptors ``keep``
        (numbered as here). Returns its pid and a pidfd for it, which the caller closes."""
        try:
            payload, fds = encode(cfg, keep)
        except (pickle.PicklingError, TypeError, AttributeError) as e:
            raise ForkServerError(f"the configuration cannot be sent: {e}") from None
        with self._lock:
            self._restart_if_gone()
            try:
                socket.send_fds(self._sock, [payload], fds)
                msg, got, _, _ = socket.recv_fds(self._sock, _ANSWER.size, 1)
            except OSError as e:
                raise ForkServerError(f"no answer: {e}") from None
        if len(msg) != _ANSWER.size:
            for fd in got:
                os.close(fd)
            raise ForkServerError("it has exited" if not msg else f"a short answer ({len(msg)} bytes)")
        pid, err = _ANSWER.unpack(msg)
        if not pid:
            raise ForkServerError(f"it could not fork the child or watch it (pidfd_open): {os.strerror(err)}")
        if len(got) != 1:
            for fd in got:
                os.close(fd)
            raise ForkServerError(f"child {pid} came without its pidfd")
        return pid, got[0]

    def close(self) -> None:
        """End the server: it reads end-of-file and exits. Its shims go on."""
        self._sock.close()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


# -- the server's side ---------------------------------------------------------------------

def _reap(signum: int, frame: object) -> None:
    """Shims that ended: the caller learnt of it through its pidfd already."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if not pid:
            return


def _renumber(received: list[int], wanted: list[int], cloexec: list[bool], server_fd: int) -> None:
    """Put each received descriptor at the number the caller had, with its close-on-exec
    flag. Everything moves above all the numbers in play first, so no move overwrites a
    descriptor still to be moved (or the server's socket before it is closed)."""
    top = max([*received, *wanted, server_fd]) + 1
    parked = [fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, top) for fd in received]
    for fd in received:
        os.close(fd)
    os.close(server_fd)
    for tmp, fd, cx in zip(parked, wanted, cloexec):
        os.dup2(tmp, fd, inheritable=not cx)
        os.close(tmp)


def _child(server_fd: int, received: list[int], payload: bytes) -> None:
    """In the forked child: become the shim or the exec helper. Never returns."""
    try:
        # The server's SIGCHLD handler would reap the shim's init under it.
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, (signal.SIGCHLD,))
        wanted, cloexec, at = decode_header(payload)
        if len(wanted) != len(received):
            raise ForkServerError(f"{len(received)} descriptors came for {len(wanted)} numbers")
        _renumber(received, wanted, cloexec, server_fd)
        close_fds_except(set(wanted))
        # Only now: the configuration's sockets are made from descriptors in their places.
        cfg = pickle.loads(payload[at:])
        if isinstance(cfg, container_exec.ExecPlan):
            container_exec.helper(cfg)
        if cfg.init.seccomp is not None:
            cfg.init.seccomp.prepare()  # here, so the init's load stays one system call
        shim.run(cfg)
    except BaseException:  # noqa: BLE001 - the child must never return into the server's loop
        import traceback

        traceback.print_exc()
    finally:
        os._exit(1)


def _answer(sock: socket.socket, pid: int, err: int, pidfd: int | None) -> None:
    try:
        socket.send_fds(sock, [_ANSWER.pack(pid, err)], [pidfd] if pidfd is not None else [])
    finally:
        if pidfd is not None:
            os.close(pidfd)


def serve(fd: int) -> int:
    sock = socket.socket(fileno=fd)
    # Ctrl-C at a foreground engine reaches its whole process group: the engine decides
    # when the server ends (by closing the socket), not the terminal.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGCHLD, _reap)
    import importlib

    for name in _PRELOAD:
        importlib.import_module(name)
    # Nothing here makes reference cycles worth a collection, and a collection would
    # write to every object page the forked shims still share with us.
    gc.disable()
    gc.freeze()
    while True:
        try:
            payload, received, _, _ = socket.recv_fds(sock, _MAX_MESSAGE, _MAX_FDS)
        except OSError as e:
            print(f"sandbox fork server: {e}", file=sys.stderr)
            return 1
        if not payload:
            return 0  # the caller closed its end, or died
        # SIGCHLD waits until the pidfd is open: a child that died at once must not be
        # reaped (and its pid freed for another process) before then.
        signal.pthread_sigmask(signal.SIG_BLOCK, (signal.SIGCHLD,))
        pidfd: int | None = None
        err = 0
        try:
            pid = os.fork()
            if pid == 0:
                _child(sock.fileno(), received, payload)
            try:
                pidfd = os.pidfd_open(pid)
            except OSError:
                os.kill(pid, signal.SIGKILL)  # a shim its caller cannot watch must not run
                raise
        except OSError as e:
            pid, err = 0, e.errno or 0
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, (signal.SIGCHLD,))
            for r in received:
                os.close(r)
        try:
            _answer(sock, pid, err, pidfd)
        except OSError:
            return 0  # the caller is gone mid-request; the shim it asked for finds no one and ends


def main(argv: list[str]) -> int:
    if len(argv) != 2 or not argv[0].isdigit():
        print("usage: python -m sandbox.runtime.forkserver FD LABEL  (the engine starts it)", file=sys.stderr)
        return 2
    return serve(int(argv[0]))


if __name__ == "__main__":
    # Run as the module itself, not as a copy named __main__: the pickles name the reducers'
    # rebuilders (``_socket_at``, ``_null_tracer``) by this module's name, and a server
    # that ran as ``__main__`` would make every child import the module again before
    # unpickling (5 ms and 600 page faults per shim).
    from sandbox.runtime.forkserver import main as _main

    raise SystemExit(_main(sys.argv[1:]))
