"""The v1 manager: the same relative path, ``<parent>/<name>``, in every hierarchy."""

from __future__ import annotations

import errno
import signal
from pathlib import Path

from sandbox.errors import CgroupError, CgroupFileError
from sandbox.runtime.cgroups import common
from sandbox.runtime.cgroups.files import CgroupFiles
from sandbox.runtime.cgroups.fs import cpu, cpuset, freezer, memory, pids
from sandbox.runtime.cgroups.fs.hierarchies import Hierarchy
from sandbox.runtime.cgroups.mode import CgroupMode
from sandbox.runtime.cgroups.stats import CgroupStats, parse_limit
from sandbox.runtime.cgroups.validate import validate_resources
from sandbox.runtime.resources import Resources

_SHOWN = (
    ("memory", ("memory.limit_in_bytes", "memory.memsw.limit_in_bytes", "memory.usage_in_bytes",
                "memory.max_usage_in_bytes", "memory.failcnt")),
    ("cpu", ("cpu.cfs_quota_us", "cpu.cfs_period_us", "cpu.shares")),
    ("cpuacct", ("cpuacct.usage",)),
    ("pids", ("pids.max", "pids.current")),
    ("freezer", ("freezer.state",)),
)
_PRIMARY = ("freezer", "pids", "memory", "cpu")
"""Where pids() reads the member list: every hierarchy holds the same processes, and the
freezer's is the one kill_all freezes."""


class V1Manager:
    def __init__(self, name: str, *, root: str, io: CgroupFiles, hierarchies: list[Hierarchy],
                 mode: CgroupMode = CgroupMode.V1, timeout: float = 5.0) -> None:
        self.name = name
        self.root = root
        self.io = io
        self.mode = mode
        self.timeout = timeout
        self.hierarchies = hierarchies
        self._leaves = [f"{h.mount}/{name}" for h in hierarchies]
        self._dirs: dict[str, str] = {}
        for h, leaf in zip(hierarchies, self._leaves):
            for c in h.controllers:
                self._dirs.setdefault(c, leaf)
        primary = next((self._dirs[c] for c in _PRIMARY if c in self._dirs), None)
        self._primary = primary or self._leaves[0]

    def __repr__(self) -> str:
        return f"V1Manager({self.name!r}, {len(self._leaves)} hierarchies)"

    def _dir(self, controller: str) -> str:
        d = self._dirs.get(controller)
        if d is None:
            raise CgroupError(f"the {controller} controller is not mounted", self.root,
                              f"mount it: mkdir {self.root}/{controller} && "
                              f"mount -t cgroup -o {controller} cgroup {self.root}/{controller}")
        return d

    def create(self) -> None:
        parts = self.name.split("/")
        for h in self.hierarchies:
            d = h.mount
            for part in parts:
                parent, d = d, f"{d}/{part}"
                self.io.mkdir(d)
                if "cpuset" in h.controllers:
                    cpuset.inherit(self.io, parent, d)

    def add_process(self, pid: int) -> None:
        for leaf in self._leaves:
            try:
                self.io.write_file(leaf, "cgroup.procs", str(pid))
            except CgroupFileError as e:
                if e.errno == errno.ESRCH:
                    e.hint = f"process {pid} exited before it could join the cgroup"
                elif e.errno == errno.ENOENT:
                    e.hint = "the cgroup does not exist: create() it first"
                elif e.errno == errno.ENOSPC:
                    e.hint = "the cpuset has no cpus or mems; they must be copied from the parent"
                raise

    def apply(self, resources: Resources | None) -> None:
        if resources is None or resources.is_empty():
            return
        r = resources
        validate_resources(r)
        if r.memory_limit is not None or r.memory_swap:
            memory.set_memory(self.io, self._dir("memory"), r)
        if r.cpu_quota or r.cpu_period or r.cpu_shares:
            cpu.set_cpu(self.io, self._dir("cpu"), r)
        if r.pids_limit is not None:
            pids.set_pids(self.io, self._dir("pids"), r)

    def freeze(self) -> None:
        freezer.set_frozen(self.io, self._dir("freezer"), True, self.timeout)

    def thaw(self) -> None:
        freezer.set_frozen(self.io, self._dir("freezer"), False, self.timeout)

    def is_frozen(self) -> bool:
        d = self._dirs.get("freezer")
        return d is not None and freezer.is_frozen(self.io, d)

    def stats(self) -> CgroupStats:
        io = self.io
        if not io.exists(self._primary):
            raise CgroupError("the cgroup does not exist", self._primary)
        mem = self._dirs.get("memory")
        pd = self._dirs.get("pids")
        limit = common.read_optional(io, mem, "memory.limit_in_bytes") if mem else None
        pids_max = common.read_optional(io, pd, "pids.max") if pd else None
        return CgroupStats(
            memory_usage=(common.read_int(io, mem, "memory.usage_in_bytes") or 0) if mem else 0,
            memory_peak=common.read_int(io, mem, "memory.max_usage_in_bytes") if mem else None,
            memory_limit=parse_limit(limit) if limit is not None else None,
            oom_kills=memory.oom_kills(io, mem) if mem else 0,
            cpu_usage_ns=cpu.usage_ns(io, self._dirs.get("cpuacct")),
            pids_current=(common.read_int(io, pd, "pids.current") or 0) if pd else 0,
            pids_limit=parse_limit(pids_max) if pids_max is not None else None,
        )

    def oom_killed(self) -> bool:
        mem = self._dirs.get("memory")
        return mem is not None and memory.oom_kills(self.io, mem) > 0

    def pids(self) -> list[int]:
        return common.procs_in_tree(self.io, self._primary)

    def kill_all(self, sig: int = signal.SIGKILL) -> None:
        if not self.io.exists(self._primary):
            return
        if "freezer" in self._dirs:
            common.signal_frozen(self, sig, self.io.tracer, self._dir("freezer"))
        else:
            common.signal_each(self.pids(), sig)

    def destroy(self) -> None:
        first: CgroupError | None = None
        for leaf in self._leaves:
            try:
                common.remove_tree(self.io, leaf, self.timeout)
            except CgroupError as e:
                # Keep going: the other hierarchies' directories can still go.
                first = first or e
        if first is not None:
            raise first

    def paths(self) -> dict[str, Path]:
        return {c: Path(d) for c, d in self._dirs.items()}

    def files(self) -> dict[str, str]:
        out = {}
        for controller, names in _SHOWN:
            d = self._dirs.get(controller)
            if d is None:
                continue
            for name in names:
                value = common.read_optional(self.io, d, name)
                if value is not None:
                    out[name] = value
        return out
