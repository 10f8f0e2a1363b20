"""The v2 manager: one directory, ``<root>/<parent>/<name>``, holds every controller."""

from __future__ import annotations

import errno
import signal
from pathlib import Path

from sandbox.errors import CgroupError, CgroupFileError
from sandbox.runtime.cgroups import common
from sandbox.runtime.cgroups.files import CgroupFiles
from sandbox.runtime.cgroups.fs2 import cpu, freezer, memory, pids
from sandbox.runtime.cgroups.fs2.controllers import enable_controllers
from sandbox.runtime.cgroups.mode import CgroupMode
from sandbox.runtime.cgroups.stats import CgroupStats, parse_limit
from sandbox.runtime.cgroups.validate import validate_resources
from sandbox.runtime.resources import Resources

_SHOWN = ("memory.max", "memory.swap.max", "memory.current", "memory.peak", "memory.swap.current",
          "cpu.max", "cpu.weight", "pids.max", "pids.current", "cgroup.freeze")


class V2Manager:
    mode = CgroupMode.V2

    def __init__(self, name: str, *, root: str, io: CgroupFiles, timeout: float = 5.0) -> None:
        self.name = name
        self.root = root
        self.dir = f"{root}/{name}"
        self.io = io
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"V2Manager({self.dir!r})"

    def create(self) -> None:
        d = self.root
        enable_controllers(self.io, d)
        for part in self.name.split("/")[:-1]:
            d = f"{d}/{part}"
            self.io.mkdir(d)
            enable_controllers(self.io, d)
        self.io.mkdir(self.dir)

    def add_process(self, pid: int) -> None:
        try:
            self.io.write_file(self.dir, "cgroup.procs", str(pid))
        except CgroupFileError as e:
            if e.errno == errno.ESRCH:
                e.hint = f"process {pid} exited before it could join the cgroup"
            elif e.errno == errno.ENOENT:
                e.hint = "the cgroup does not exist: create() it first"
            raise

    def apply(self, resources: Resources | None) -> None:
        if resources is None or resources.is_empty():
            return
        validate_resources(resources)
        memory.set_memory(self.io, self.root, self.dir, resources)
        cpu.set_cpu(self.io, self.root, self.dir, resources)
        pids.set_pids(self.io, self.root, self.dir, resources)

    def freeze(self) -> None:
        freezer.set_frozen(self.io, self.dir, True, self.timeout)

    def thaw(self) -> None:
        freezer.set_frozen(self.io, self.dir, False, self.timeout)

    def is_frozen(self) -> bool:
        return freezer.is_frozen(self.io, self.dir)

    def stats(self) -> CgroupStats:
        io, d = self.io, self.dir
        if not io.exists(d):
            raise CgroupError("the cgroup does not exist", d)
        limit = common.read_optional(io, d, "memory.max")
        pids_max = common.read_optional(io, d, "pids.max")
        return CgroupStats(
            memory_usage=common.read_int(io, d, "memory.current") or 0,
            memory_peak=common.read_int(io, d, "memory.peak"),
            memory_limit=parse_limit(limit) if limit is not None else None,
            oom_kills=memory.oom_kills(io, d),
            cpu_usage_ns=cpu.usage_ns(io, d),
            pids_current=common.read_int(io, d, "pids.current") or 0,
            pids_limit=parse_limit(pids_max) if pids_max is not None else None,
        )

    def oom_killed(self) -> bool:
        return memory.oom_kills(self.io, self.dir) > 0

    def pids(self) -> list[int]:
        return common.procs_in_tree(self.io, self.dir)

    def kill_all(self, sig: int = signal.SIGKILL) -> None:
        if not self.io.exists(self.dir):
            return
        if sig == signal.SIGKILL and self.io.exists(self.dir, "cgroup.kill"):
            # Linux 5.14+: the kernel kills the whole subtree itself, forks in flight included.
            # A fatal signal reaches frozen tasks too, but cgroup.freeze stays 1: thaw, or the
            # next process to join starts frozen. The knob, not cgroup.events, says whether
            # to: while the killed tasks leave, "frozen" in cgroup.events drops to 0 and rises
            # to 1 again once the cgroup is empty.
            self.io.write_file(self.dir, "cgroup.kill", "1")
            if (common.read_optional(self.io, self.dir, "cgroup.freeze") or "0").strip() == "1":
                self.thaw()
            return
        common.signal_frozen(self, sig, self.io.tracer, self.dir)

    def destroy(self) -> None:
        common.remove_tree(self.io, self.dir, self.timeout)

    def paths(self) -> dict[str, Path]:
        p = Path(self.dir)
        out = {"unified": p}
        enabled = common.read_optional(self.io, self.dir, "cgroup.controllers")
        for c in (enabled or "").split():
            out[c] = p
        out["freezer"] = p
        return out

    def files(self) -> dict[str, str]:
        out = {}
        for name in _SHOWN:
            value = common.read_optional(self.io, self.dir, name)
            if value is not None:
                out[name] = value
        return out
