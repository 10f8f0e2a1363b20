"""``docker stats``: the container's cgroup counters in the Docker API's shape.

CPU: the cgroup's total (and per-CPU on v1) usage in ns next to the host's total from
/proc/stat, so a client computes the percentage from two samples (``precpu_stats``).
Memory: usage, peak, limit (the host's memory when unlimited) and memory.stat. Networks:
the container's interfaces from its /proc/<pid>/net/dev, loopback left out as dockerd does.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sandbox.engine.containers.registry import Container
from sandbox.engine.containers.timefmt import ZERO_TIME, rfc3339nano
from sandbox.errors import CgroupError, ContainerNotFound, StateError

if TYPE_CHECKING:
    from sandbox.engine.containers.context import Engine

_TICKS = os.sysconf("SC_CLK_TCK")


def _read(path: Path) -> str | None:
    try:
        return path.read_text()
    except OSError:
        return None


def _keyed(text: str | None) -> dict[str, int]:
    out: dict[str, int] = {}
    for line in (text or "").splitlines():
        key, _, value = line.partition(" ")
        try:
            out[key] = int(value)
        except ValueError:
            continue
    return out


def system_cpu_ns() -> int:
    """All CPUs' time since boot (the first line of /proc/stat), in ns."""
    text = _read(Path("/proc/stat")) or ""
    first = text.splitlines()[0].split() if text else []
    return sum(int(x) for x in first[1:8]) * 1_000_000_000 // _TICKS if first else 0


def _host_memory() -> int:
    for line in (_read(Path("/proc/meminfo")) or "").splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) * 1024
    return 0


def _networks(pid: int) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for line in (_read(Path(f"/proc/{pid}/net/dev")) or "").splitlines()[2:]:
        name, _, rest = line.partition(":")
        name = name.strip()
        v = rest.split()
        if name == "lo" or len(v) < 16:
            continue
        out[name] = {"rx_bytes": int(v[0]), "rx_packets": int(v[1]), "rx_errors": int(v[2]),
                     "rx_dropped": int(v[3]),
                     "tx_bytes": int(v[8]), "tx_packets": int(v[9]), "tx_errors": int(v[10]),
                     "tx_dropped": int(v[11])}
    return out


def _blkio(paths: dict[str, Path]) -> list[dict[str, Any]]:
    d = paths.get("blkio")
    out: list[dict[str, Any]] = []
    if d is not None:
        for line in (_read(d / "blkio.throttle.io_service_bytes_recursive") or "").splitlines():
            parts = line.split()
            if len(parts) == 3 and ":" in parts[0]:
                major, minor = parts[0].split(":")
                out.append({"major": int(major), "minor": int(minor), "op": parts[1].lower(),
                            "value": int(parts[2])})
        return out
    io = paths.get("io")
    for line in (_read(io / "io.stat") or "").splitlines() if io else []:
        dev, *kv = line.split()
        major, minor = dev.split(":")
        values = dict(x.split("=") for x in kv if "=" in x)
        out += [{"major": int(major), "minor": int(minor), "op": op, "value": int(values.get(key, 0))}
                for op, key in (("read", "rbytes"), ("write", "wbytes"))]
    return out


def _cpu(paths: dict[str, Path], total_ns: int) -> dict[str, Any]:
    usage: dict[str, Any] = {"total_usage": total_ns, "usage_in_kernelmode": 0, "usage_in_usermode": 0}
    acct = paths.get("cpuacct")
    throttling = {"periods": 0, "throttled_periods": 0, "throttled_time": 0}
    if acct is not None:
        percpu = (_read(acct / "cpuacct.usage_percpu") or "").split()
        if percpu:
            usage["percpu_usage"] = [int(x) for x in percpu]
        st = _keyed(_read(acct / "cpuacct.stat"))
        usage["usage_in_usermode"] = st.get("user", 0) * 1_000_000_000 // _TICKS
        usage["usage_in_kernelmode"] = st.get("system", 0) * 1_000_000_000 // _TICKS
        cs = _keyed(_read(paths["cpu"] / "cpu.stat")) if "cpu" in paths else {}
        throttling = {"periods": cs.get("nr_periods", 0), "throttled_periods": cs.get("nr_throttled", 0),
                      "throttled_time": cs.get("throttled_time", 0)}
    elif "cpu" in paths:
        cs = _keyed(_read(paths["cpu"] / "cpu.stat"))
        usage["usage_in_usermode"] = cs.get("user_usec", 0) * 1000
        usage["usage_in_kernelmode"] = cs.get("system_usec", 0) * 1000
        throttling = {"periods": cs.get("nr_periods", 0), "throttled_periods": cs.get("nr_throttled", 0),
                      "throttled_time": cs.get("throttled_usec", 0) * 1000}
    return {"cpu_usage": usage, "system_cpu_usage": system_cpu_ns(), "online_cpus": os.cpu_count() or 1,
            "throttling_data": throttling}


def _empty_cpu() -> dict[str, Any]:
    return {"cpu_usage": {"total_usage": 0, "usage_in_kernelmode": 0, "usage_in_usermode": 0},
            "system_cpu_usage": 0, "online_cpus": 0,
            "throttling_data": {"periods": 0, "throttled_periods": 0, "throttled_time": 0}}


def _blank(c: Container, now: float) -> dict[str, Any]:
    return {"name": c.rec.name, "id": c.id, "read": rfc3339nano(now), "preread": ZERO_TIME, "num_procs": 0,
            "pids_stats": {}, "blkio_stats": {"io_service_bytes_recursive": None}, "storage_stats": {},
            "cpu_stats": _empty_cpu(), "precpu_stats": _empty_cpu(), "memory_stats": {}}


def sample(eng: Engine, c: Container) -> dict[str, Any] | None:
    """One reading, or None when the container is not running."""
    with c.lock:
        s = c.rec.state
        if not s.live:
            return None
        pid = s.pid
        try:
            cg = eng.runtime.cgroup(c.id)
            st = cg.stats()
            paths = cg.paths()
        except (CgroupError, ContainerNotFound, StateError):
            return None
    mem_dir = paths.get("memory")
    mem_stat = _keyed(_read(mem_dir / "memory.stat")) if mem_dir else {}
    memory: dict[str, Any] = {"usage": st.memory_usage, "stats": mem_stat,
                              "limit": st.memory_limit or _host_memory()}
    if st.memory_peak is not None:
        memory["max_usage"] = st.memory_peak
    if st.oom_kills:
        memory["failcnt"] = st.oom_kills
    out: dict[str, Any] = {
        "name": c.rec.name, "id": c.id, "read": rfc3339nano(eng.clock()), "preread": ZERO_TIME,
        "num_procs": 0, "pids_stats": {"current": st.pids_current, **({"limit": st.pids_limit}
                                                                     if st.pids_limit else {})},
        "blkio_stats": {"io_service_bytes_recursive": _blkio(paths), "io_serviced_recursive": None,
                        "io_queue_recursive": None, "io_service_time_recursive": None,
                        "io_wait_time_recursive": None, "io_merged_recursive": None,
                        "io_time_recursive": None, "sectors_recursive": None},
        "storage_stats": {}, "cpu_stats": _cpu(paths, st.cpu_usage_ns), "precpu_stats": _empty_cpu(),
        "memory_stats": memory,
    }
    nets = _networks(pid)
    if nets:
        out["networks"] = nets
    return out


def stats(eng: Engine, c: Container, stream: bool, one_shot: bool,
          interval: float) -> Iterator[dict[str, Any]]:
    """A generator: without ``stream`` one reading (after one ``interval`` so that
    ``precpu_stats`` is filled, unless ``one_shot``); with it, one per ``interval``."""
    prev = sample(eng, c)
    if prev is None:
        yield _blank(c, eng.clock())
        return
    if not stream and one_shot:
        yield prev
        return
    while True:
        time.sleep(interval)
        cur = sample(eng, c)
        if cur is None:
            return
        cur["precpu_stats"], cur["preread"] = prev["cpu_stats"], prev["read"]
        yield cur
        if not stream:
            return
        prev = cur
