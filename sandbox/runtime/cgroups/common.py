"""What both backends do the same way: walk a cgroup subtree, remove it, signal it."""

from __future__ import annotations

import errno
import os
import signal

from sandbox.errors import CgroupError, CgroupFileError
from sandbox.linux.trace import Tracer
from sandbox.runtime.cgroups.files import CgroupFiles
from sandbox.runtime.cgroups.poll import wait_for

# Not typing.TYPE_CHECKING: importing typing is part of every container start.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Protocol
else:
    Protocol = object  # the interface is for type checkers; at run time a plain base


def read_optional(io: CgroupFiles, dir: str, name: str) -> str | None:
    """A file's content, or None when it does not exist (controller off, old kernel)."""
    try:
        return io.read_file(dir, name)
    except CgroupFileError as e:
        if e.errno == errno.ENOENT:
            return None
        raise


def read_int(io: CgroupFiles, dir: str, name: str) -> int | None:
    text = read_optional(io, dir, name)
    return int(text) if text else None


def procs_in_tree(io: CgroupFiles, dir: str) -> list[int]:
    """Every process in ``dir`` and the cgroups below it (cgroup.procs lists only its own)."""
    pids: set[int] = set()
    stack = [dir]
    while stack:
        d = stack.pop()
        text = read_optional(io, d, "cgroup.procs")
        if text is None:
            continue
        pids.update(int(p) for p in text.split())
        if io.has_subdirs(d):
            stack.extend(io.subdirs(d))
    return sorted(pids)


def remove_tree(io: CgroupFiles, dir: str, timeout: float) -> None:
    """rmdir ``dir`` and the cgroups below it, deepest first; gone already is fine.

    rmdir of a cgroup fails with EBUSY while a process is still in it. Right after a
    SIGKILL the processes are still on their way out, so EBUSY is retried until
    ``timeout``; after that it is an error that names the processes left.
    """
    last: list[CgroupFileError] = []

    def attempt() -> bool:
        try:
            _remove(io, dir)
        except CgroupFileError as e:
            if e.errno != errno.EBUSY:
                raise
            last[:] = [e]
            return False
        return True

    if wait_for(attempt, timeout):
        return
    left = procs_in_tree(io, dir)
    raise CgroupError(f"cgroup still busy after {timeout:g}s (processes: {left or 'none'})", dir,
                      "stop its processes first (kill_all), and thaw it if it is paused") from last[0]


def _remove(io: CgroupFiles, dir: str) -> None:
    if io.has_subdirs(dir):
        for child in io.subdirs(dir):
            _remove(io, child)
    io.rmdir(dir)


class _Freezable(Protocol):
    def is_frozen(self) -> bool: ...
    def freeze(self) -> None: ...
    def thaw(self) -> None: ...
    def pids(self) -> list[int]: ...


def signal_each(pids: list[int], sig: int) -> None:
    for pid in pids:
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass


class _Exclusive:
    """An flock on the freezer's cgroup directory for one freeze-signal-thaw.

    Two parties may kill the same cgroup at once: the engine (``rm -f``) and the shim, which
    ends the rest of a container without a pid namespace of its own when its init exits.
    Interleaved, one's thaw lands inside the other's freeze: it then waits for a THAWED that
    the other's retried FROZEN keeps away, and fails after its timeout. flock works on any
    open file, a cgroupfs directory included, and both parties open the same directory."""

    def __init__(self, dir: str) -> None:
        self.dir = dir
        self.fd = -1

    def __enter__(self) -> None:
        import fcntl

        try:
            self.fd = os.open(self.dir, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except OSError:
            return  # gone, or not a directory we can open: the freeze itself will say
        fcntl.flock(self.fd, fcntl.LOCK_EX)

    def __exit__(self, *exc: object) -> None:
        if self.fd >= 0:
            os.close(self.fd)  # the lock goes with the last descriptor of the open file
            self.fd = -1


def signal_frozen(cg: _Freezable, sig: int, tracer: Tracer, lock_dir: str) -> None:
    """Signal every process with the cgroup frozen, so none can fork a child we would miss
    between reading the list and signalling it. SIGKILL thaws afterwards even a paused cgroup:
    a frozen task cannot act on the kill until it runs again. ``lock_dir``: the freezer's
    cgroup directory, locked for the whole sequence (see ``_Exclusive``)."""
    with _Exclusive(lock_dir):
        _signal_frozen(cg, sig, tracer)


def _signal_frozen(cg: _Freezable, sig: int, tracer: Tracer) -> None:
    was_frozen = cg.is_frozen()
    try:
        cg.freeze()
    except CgroupError as e:
        # A task stuck in uninterruptible sleep can keep the freeze from finishing (and the
        # failed freeze was undone). Signalling without it still reaches all but a fork in
        # flight, which beats reaching none; runc goes on the same way.
        tracer.emit("cgroup.signal", error=f"freeze failed, signalling unfrozen: {e}", signal=sig)
        signal_each(cg.pids(), sig)
        return
    try:
        signal_each(cg.pids(), sig)
    finally:
        if sig == signal.SIGKILL or not was_frozen:
            cg.thaw()
