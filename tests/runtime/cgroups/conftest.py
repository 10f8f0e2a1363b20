"""A fake cgroupfs: a temp directory plus a ``CgroupFiles`` that acts like the kernel.

A plain directory made with mkdir stays empty, and plain files accept any write. The kernel
does neither: a new cgroup comes with its files, and writes are checked and have effects.
``FakeKernel`` overrides only the raw syscalls of ``CgroupFiles`` (``_write``, ``_mkdir``,
``_rmdir``) so the real tracing and errno translation run on top of it.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from sandbox.linux.trace import ListSink, Tracer
from sandbox.runtime.cgroups.files import CgroupFiles

V1_UNLIMITED = "9223372036854771712"
V2_CONTROLLERS = ("cpuset", "cpu", "io", "memory", "hugetlb", "pids", "rdma", "misc")


def _put(path: str, content: str) -> None:
    with open(path, "w") as f:
        f.write(content)


def _get(path: str) -> str:
    with open(path) as f:
        return f.read().rstrip("\n")


def _oserror(err: int, path: str) -> OSError:
    return OSError(err, os.strerror(err), path)


class FakeKernel(CgroupFiles):
    """Kernel behaviour for a cgroup tree under ``root`` (``version`` 1 or 2).

    Knobs: ``memsw`` (v1 swap accounting), ``kill_file`` (v2 cgroup.kill, Linux 5.14+),
    ``stuck_freeze`` (tasks never report frozen), ``freezing_steps`` (v1 reports FREEZING
    until FROZEN was written this many more times), ``exit_after`` (rmdir attempts that see
    EBUSY before the processes in a cgroup are gone; -1: they never go).
    """

    def __init__(self, root: Path, version: int, tracer: Tracer) -> None:
        super().__init__(tracer)
        self.root = str(root)
        self.version = version
        self.memsw = True
        self.kill_file = True
        self.stuck_freeze = False
        self.freezing_steps = 0
        self.exit_after = 0
        self.killed: list[str] = []

    # -- building the tree ------------------------------------------------------------------

    def make_v2_root(self, controllers: tuple[str, ...] = V2_CONTROLLERS) -> None:
        r = self.root
        _put(f"{r}/cgroup.controllers", " ".join(controllers))
        _put(f"{r}/cgroup.subtree_control", "")
        _put(f"{r}/cgroup.procs", "1\n")
        _put(f"{r}/cpu.stat", "usage_usec 0\n")

    def make_v1_root(self, hierarchies: tuple[str, ...] = ("cpu,cpuacct", "cpuset", "memory", "pids",
                                                           "freezer", "devices", "systemd"),
                     links: dict[str, str] | None = None, unified: bool = False) -> None:
        r = self.root
        for h in hierarchies:
            os.mkdir(f"{r}/{h}")
            _put(f"{r}/{h}/cgroup.procs", "1\n")
            if "cpuset" in h.split(","):
                _put(f"{r}/{h}/cpuset.cpus", "0-3")
                _put(f"{r}/{h}/cpuset.mems", "0")
        for name, target in (links if links is not None else
                             {"cpu": "cpu,cpuacct", "cpuacct": "cpu,cpuacct"}).items():
            os.symlink(target, f"{r}/{name}")
        if unified:
            os.mkdir(f"{r}/unified")
            _put(f"{r}/unified/cgroup.controllers", "")
            _put(f"{r}/unified/cgroup.procs", "1\n")
        _put(f"{r}/not-a-hierarchy", "")  # the root tmpfs can hold stray files

    def set(self, dir: str, name: str, content: str) -> None:
        """What the kernel would report (usage, counters), bypassing the write checks."""
        _put(f"{dir}/{name}", content)

    def get(self, dir: str, name: str) -> str:
        return _get(f"{dir}/{name}")

    # -- the raw syscalls ---------------------------------------------------------------------

    def _mkdir(self, path: str) -> None:
        super()._mkdir(path)
        if self.version == 2:
            self._populate_v2(path)
        else:
            self._populate_v1(path)

    def _populate_v2(self, d: str) -> None:
        enabled = _get(f"{os.path.dirname(d)}/cgroup.subtree_control").split()
        files = {"cgroup.controllers": " ".join(enabled), "cgroup.subtree_control": "",
                 "cgroup.procs": "", "cgroup.events": "populated 0\nfrozen 0\n", "cgroup.freeze": "0",
                 "cpu.stat": "usage_usec 0\nuser_usec 0\nsystem_usec 0\n"}
        if self.kill_file:
            files["cgroup.kill"] = ""
        if "memory" in enabled:
            files.update({"memory.max": "max", "memory.current": "0", "memory.peak": "0",
                          "memory.swap.max": "max", "memory.swap.current": "0",
                          "memory.stat": "anon 0\nfile 0\n",
                          "memory.events": "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n"})
        if "cpu" in enabled:
            files.update({"cpu.max": "max 100000", "cpu.weight": "100"})
        if "pids" in enabled:
            files.update({"pids.max": "max", "pids.current": "0"})
        for name, content in files.items():
            _put(f"{d}/{name}", content)

    def _controllers_v1(self, d: str) -> list[str]:
        top = os.path.relpath(d, self.root).split("/")[0]
        return top.split(",")

    def _populate_v1(self, d: str) -> None:
        ctrls = self._controllers_v1(d)
        files = {"cgroup.procs": "", "tasks": "", "notify_on_release": "0"}
        if "memory" in ctrls:
            files.update({"memory.limit_in_bytes": V1_UNLIMITED, "memory.usage_in_bytes": "0",
                          "memory.max_usage_in_bytes": "0", "memory.failcnt": "0",
                          "memory.oom_control": "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n",
                          "memory.stat": "cache 0\nrss 0\n"})
            if self.memsw:
                files["memory.memsw.limit_in_bytes"] = V1_UNLIMITED
        if "cpu" in ctrls:
            files.update({"cpu.cfs_quota_us": "-1", "cpu.cfs_period_us": "100000", "cpu.shares": "1024"})
        if "cpuacct" in ctrls:
            files["cpuacct.usage"] = "0"
        if "pids" in ctrls:
            files.update({"pids.max": "max", "pids.current": "0"})
        if "freezer" in ctrls:
            files["freezer.state"] = "THAWED"
        if "cpuset" in ctrls:
            files.update({"cpuset.cpus": "", "cpuset.mems": ""})
        for name, content in files.items():
            _put(f"{d}/{name}", content)

    def _rmdir(self, path: str) -> None:
        if not os.path.isdir(path):
            raise _oserror(errno.ENOENT, path)
        if any(e.is_dir() for e in os.scandir(path)):
            raise _oserror(errno.EBUSY, path)
        if _get(f"{path}/cgroup.procs").split():
            if self.exit_after == 0 or self.exit_after < 0:
                raise _oserror(errno.EBUSY, path)
            self.exit_after -= 1
            if self.exit_after == 0:
                _put(f"{path}/cgroup.procs", "")  # the processes have exited
            raise _oserror(errno.EBUSY, path)
        for e in os.scandir(path):
            os.unlink(e.path)
        os.rmdir(path)

    def _write(self, path: str, data: bytes) -> None:
        if not os.path.isfile(path):
            raise _oserror(errno.ENOENT, path)
        d, name = os.path.split(path)
        value = data.decode()
        handler = getattr(self, "_w_" + name.replace(".", "_"), None)
        content = handler(d, value, path) if handler else value
        if content is not None:
            super()._write(path, content.encode())

    # Each _w_<file> checks a write the way the kernel does and returns the new content.

    def _w_cgroup_subtree_control(self, d: str, value: str, path: str) -> str:
        available = _get(f"{d}/cgroup.controllers").split()
        enabled = _get(path).split()
        if d != self.root and _get(f"{d}/cgroup.procs").split():
            raise _oserror(errno.EBUSY, path)
        for tok in value.split():
            c = tok[1:]
            if c not in available:
                raise _oserror(errno.ENOENT, path)
            if tok[0] == "+" and c not in enabled:
                enabled.append(c)
            elif tok[0] == "-" and c in enabled:
                enabled.remove(c)
        return " ".join(c for c in available if c in enabled)

    def _w_cgroup_procs(self, d: str, value: str, path: str) -> str:
        pid = int(value)
        if pid <= 0:
            raise _oserror(errno.ESRCH, path)
        if self.version == 1 and "cpuset" in self._controllers_v1(d) and self._cpuset_empty(d):
            raise _oserror(errno.ENOSPC, path)
        pids = _get(path).split()
        if value not in pids:
            pids.append(value)
        return "\n".join(pids) + "\n"

    @staticmethod
    def _cpuset_empty(d: str) -> bool:
        return not _get(f"{d}/cpuset.cpus") or not _get(f"{d}/cpuset.mems")

    def _w_cgroup_freeze(self, d: str, value: str, path: str) -> str:
        if value not in ("0", "1"):
            raise _oserror(errno.EINVAL, path)
        if not self.stuck_freeze:
            _put(f"{d}/cgroup.events", f"populated 0\nfrozen {value}\n")
        return value

    def _w_cgroup_kill(self, d: str, value: str, path: str) -> None:
        if value != "1":
            raise _oserror(errno.ERANGE, path)
        self.killed.append(d)
        _put(f"{d}/cgroup.procs", "")

    def _w_freezer_state(self, d: str, value: str, path: str) -> str:
        if value not in ("FROZEN", "THAWED"):
            raise _oserror(errno.EINVAL, path)
        if value == "FROZEN" and self.freezing_steps > 0:
            self.freezing_steps -= 1
            return "FREEZING"
        return value

    def _w_memory_max(self, d: str, value: str, path: str) -> str:
        if value != "max" and not value.isdigit():
            raise _oserror(errno.EINVAL, path)
        return value

    def _w_cpu_max(self, d: str, value: str, path: str) -> str:
        parts = value.split()
        old_period = _get(path).split()[1]
        if not 1 <= len(parts) <= 2 or (parts[0] != "max" and not parts[0].isdigit()):
            raise _oserror(errno.EINVAL, path)
        return f"{parts[0]} {parts[1] if len(parts) == 2 else old_period}"

    def _w_cpu_weight(self, d: str, value: str, path: str) -> str:
        if not 1 <= int(value) <= 10000:
            raise _oserror(errno.ERANGE, path)
        return value

    def _w_pids_max(self, d: str, value: str, path: str) -> str:
        if value != "max" and not (value.isdigit() and int(value) >= 0):
            raise _oserror(errno.EINVAL, path)
        return value

    def _w_memory_limit_in_bytes(self, d: str, value: str, path: str) -> str:
        new = int(V1_UNLIMITED) if value == "-1" else int(value)
        memsw = f"{d}/memory.memsw.limit_in_bytes"
        if os.path.exists(memsw) and new > int(_get(memsw)):
            raise _oserror(errno.EINVAL, path)
        if new < int(_get(f"{d}/memory.usage_in_bytes")):
            raise _oserror(errno.EBUSY, path)
        return str(new)

    def _w_memory_memsw_limit_in_bytes(self, d: str, value: str, path: str) -> str:
        new = int(V1_UNLIMITED) if value == "-1" else int(value)
        if new < int(_get(f"{d}/memory.limit_in_bytes")):
            raise _oserror(errno.EINVAL, path)
        return str(new)

    def _w_cpu_cfs_quota_us(self, d: str, value: str, path: str) -> str:
        if value != "-1" and int(value) < 1000:
            raise _oserror(errno.EINVAL, path)
        return value

    def _w_cpu_cfs_period_us(self, d: str, value: str, path: str) -> str:
        if not 1000 <= int(value) <= 1_000_000:
            raise _oserror(errno.EINVAL, path)
        return value


@pytest.fixture
def sink() -> ListSink:
    return ListSink()


@pytest.fixture
def make_kernel(tmp_path: Path, sink: ListSink) -> Callable[[int], FakeKernel]:
    """An empty fake root for cgroup ``version`` 1 or 2; the test builds the tree."""
    return lambda version: FakeKernel(tmp_path, version, Tracer(sink))


@pytest.fixture
def fake_v2(make_kernel: Callable[[int], FakeKernel]) -> FakeKernel:
    k = make_kernel(2)
    k.make_v2_root()
    return k


@pytest.fixture
def fake_v1(make_kernel: Callable[[int], FakeKernel]) -> FakeKernel:
    k = make_kernel(1)
    k.make_v1_root()
    return k


@pytest.fixture
def written(sink: ListSink) -> Callable[[], list[tuple[str, str, str]]]:
    """(directory, file, value) of every cgroup.write record so far, in order."""
    return lambda: [(r.args["path"], r.args["file"], r.args["value"])
                    for r in sink.records if r.op == "cgroup.write"]
