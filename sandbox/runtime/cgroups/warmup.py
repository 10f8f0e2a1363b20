"""Pay for a cgroup migration's grace period before a container needs it.

Moving a process into a cgroup (a write to ``cgroup.procs``) takes the kernel's global
``cgroup_threadgroup_rwsem`` for writing. That semaphore is a per-cpu one: its readers
(every fork, exit and exec on the machine) are cheap, and the price is paid by the
writer, which first waits for an RCU grace period so that every reader sees it coming.
Once a writer has done so, the semaphore stays on its slow path for about one more
grace period, and a writer in that window does not wait at all. Measured here: 7.5 ms for
a first migration, 0.2 ms for one right after it. A container's start moves its init into
its cgroup, and the init waits for that move before it can go on.

So the engine keeps an anchor: a small process of ours in a cgroup of ours. At the start of
a container's create, ``kick`` moves the anchor into the cgroup it is already in, on a
thread. Nothing changes, but the wait for the grace period starts then, while the runtime
forks the shim and the init, instead of when the shim moves the init. Whoever writes to
``cgroup.procs`` also holds ``cgroup_mutex`` while it waits, so the kick comes after the
container's cgroups are made, not before.

The anchor is ``cat`` reading a pipe whose other end only we hold: when the engine is gone,
for whatever reason, it reads end-of-file and exits.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

from sandbox.errors import CgroupError, CgroupFileError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from sandbox.runtime.cgroups.interface import CgroupManager

ANCHOR_CGROUP = ".warmup"
"""Below the runtime's cgroup parent, beside the containers (whose names never start with
a dot: the engine's are ids, and the runtime refuses such ids)."""


class MigrationWarmup:
    def __init__(self, cgroup: CgroupManager, anchor: subprocess.Popen[bytes], procs: Path) -> None:
        self.cgroup = cgroup
        self.anchor = anchor
        self._procs = procs
        self._busy = threading.Lock()

    @classmethod
    def start(cls, open_cgroup: Callable[[str], CgroupManager]) -> MigrationWarmup:
        """Make the anchor's cgroup (clearing one a killed engine left) and the anchor.
        ``open_cgroup`` opens a cgroup of the runtime's by name, without a tracer: the
        anchor's moves are the engine's business, not part of any container's trace."""
        cg = open_cgroup(ANCHOR_CGROUP)
        _clear(cg)
        cg.create()
        cat = shutil.which("cat")
        argv = [cat] if cat else [sys.executable, "-S", "-c", "import sys; sys.stdin.buffer.read()"]
        anchor = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL, close_fds=True, start_new_session=True)
        try:
            cg.add_process(anchor.pid)
        except (CgroupError, OSError):
            _stop(anchor)
            cg.destroy()
            raise
        procs = next(iter(cg.paths().values())) / "cgroup.procs"
        return cls(cg, anchor, procs)

    def kick(self) -> None:
        """Start a grace period now, on a thread; a kick already under way is enough."""
        if not self._busy.acquire(blocking=False):
            return
        threading.Thread(target=self._move, name="cgroup-warmup", daemon=True).start()

    def _move(self) -> None:
        try:
            fd = os.open(self._procs, os.O_WRONLY | os.O_CLOEXEC)
            try:
                os.write(fd, str(self.anchor.pid).encode())
            finally:
                os.close(fd)
        except OSError:
            pass  # only ever a head start: the container's own move works without it
        finally:
            self._busy.release()

    def close(self) -> None:
        _stop(self.anchor)
        try:
            self.cgroup.destroy()
        except CgroupError:
            pass  # left for the next engine, which clears it at its start


def _stop(anchor: subprocess.Popen[bytes]) -> None:
    if anchor.stdin is not None:
        anchor.stdin.close()  # end-of-file: cat exits by itself
    try:
        anchor.wait(2)
    except subprocess.TimeoutExpired:
        anchor.kill()
        anchor.wait()


def _clear(cg: CgroupManager) -> None:
    """An anchor cgroup left by an engine that was killed: its anchor saw end-of-file and
    left, or is killed here (it is ours: nothing else joins this cgroup)."""
    try:
        cg.kill_all()
        cg.destroy()
    except (CgroupError, CgroupFileError):
        pass  # not there (the usual case), or still busy: create() reuses it then
