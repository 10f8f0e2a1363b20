"""The cgroups picture's data, from ``GET /sandbox/containers/{id}/cgroup``: limits and
usage for memory, CPU and pids. CPU usage is a counter, so its rate needs two samples;
an OOM kill is a counter too, and a rise since the last sample is what the meter flags."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

DEFAULT_CFS_PERIOD_US = 100_000


@dataclass(frozen=True)
class CgroupSample:
    at: float
    """When it was taken (a monotonic clock), for rates."""
    memory_usage: int | None
    memory_limit: int | None
    oom_kills: int
    cpu_usage_ns: int | None
    cpu_limit: float | None
    """In CPUs (0.5 = half of one CPU); None when unlimited."""
    pids_current: int | None
    pids_limit: int | None
    mode: str = ""
    files: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Ended:
    """The container is no longer running: its cgroup is gone with it, so the picture keeps
    the last sample and says how it ended (``docker inspect``'s ``State``)."""

    exit_code: int | None
    oom_killed: bool

    @classmethod
    def from_inspect(cls, inspect: Mapping[str, Any]) -> Ended:
        state = inspect.get("State") or {}
        return cls(_int(state.get("ExitCode")), bool(state.get("OOMKilled")))


@dataclass(frozen=True)
class CgroupView:
    container: str
    sample: CgroupSample
    cpu_rate: float | None = None
    """CPUs in use between the previous sample and this one."""
    oom_new: int = 0
    """OOM kills since the previous sample."""
    ended: Ended | None = None

    @property
    def memory_fraction(self) -> float | None:
        s = self.sample
        if s.memory_usage is None or not s.memory_limit:
            return None
        return s.memory_usage / s.memory_limit

    @property
    def cpu_fraction(self) -> float | None:
        if self.cpu_rate is None or not self.sample.cpu_limit:
            return None
        return self.cpu_rate / self.sample.cpu_limit

    @property
    def pids_fraction(self) -> float | None:
        s = self.sample
        if s.pids_current is None or not s.pids_limit:
            return None
        return s.pids_current / s.pids_limit


def _int(value: Any) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def cpu_limit(stats: Mapping[str, Any], files: Mapping[str, str]) -> float | None:
    """The CPU quota in CPUs: from ``cpu.max`` (v2, ``"50000 100000"``), from
    ``cpu.cfs_quota_us``/``cpu.cfs_period_us`` (v1), else from the stats' ``cpu_quota``
    (microseconds per ``cpu_period``)."""
    v2 = files.get("cpu.max")
    if v2:
        quota, _, period = v2.strip().partition(" ")
        if quota == "max":
            return None
        q, p = _int(quota), _int(period) or DEFAULT_CFS_PERIOD_US
        return q / p if q and q > 0 else None
    q = _int(files.get("cpu.cfs_quota_us"))
    if q is not None:
        if q <= 0:
            return None
        return q / (_int(files.get("cpu.cfs_period_us")) or DEFAULT_CFS_PERIOD_US)
    quota = stats.get("cpu_quota")
    if isinstance(quota, float) and 0 < quota < 1024:
        return quota  # already in CPUs
    q = _int(quota)
    if q is None or q <= 0:
        return None
    return q / (_int(stats.get("cpu_period")) or DEFAULT_CFS_PERIOD_US)


def parse_sample(data: Mapping[str, Any], at: float) -> CgroupSample:
    stats = data.get("stats") or {}
    files = {str(k): str(v) for k, v in (data.get("files") or {}).items()}
    return CgroupSample(at=at, memory_usage=_int(stats.get("memory_usage")), memory_limit=_int(stats.get("memory_limit")),
                        oom_kills=_int(stats.get("oom_kills")) or 0, cpu_usage_ns=_int(stats.get("cpu_usage_ns")),
                        cpu_limit=cpu_limit(stats, files), pids_current=_int(stats.get("pids_current")),
                        pids_limit=_int(stats.get("pids_limit")), mode=str(data.get("mode") or ""), files=files)


def ended_view(container: str, inspect: Mapping[str, Any], previous: CgroupSample | None,
               at: float) -> CgroupView:
    """The view of a container that stopped: the last live sample (or, without one, the
    limits it was created with) and how it ended. An OOM kill of the main process counts as
    one more kill: the cgroup that counted it is gone."""
    ended = Ended.from_inspect(inspect)
    host = inspect.get("HostConfig") or {}
    sample = previous or CgroupSample(at=at, memory_usage=None, memory_limit=_int(host.get("Memory")) or None,
                                      oom_kills=0, cpu_usage_ns=None,
                                      cpu_limit=(_int(host.get("NanoCpus")) or 0) / 1e9 or None,
                                      pids_current=None, pids_limit=_int(host.get("PidsLimit")) or None)
    if ended.oom_killed:
        sample = replace(sample, oom_kills=sample.oom_kills + 1)
    return CgroupView(container, sample, None, 1 if ended.oom_killed else 0, ended)


def derive(container: str, sample: CgroupSample, previous: CgroupSample | None) -> CgroupView:
    """A view of ``sample``, with the CPU rate and new OOM kills since ``previous`` (a
    sample of the same container; pass None after switching containers)."""
    if previous is None:
        return CgroupView(container, sample)
    rate = None
    dt = sample.at - previous.at
    if dt > 0 and sample.cpu_usage_ns is not None and previous.cpu_usage_ns is not None:
        rate = max(sample.cpu_usage_ns - previous.cpu_usage_ns, 0) / 1e9 / dt
    return CgroupView(container, sample, rate, max(sample.oom_kills - previous.oom_kills, 0))
