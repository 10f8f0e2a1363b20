"""``docker stats``: CPU, memory, network, block I/O and pids per container.

With ``--no-stream`` one sample each (the engine takes two readings for the CPU delta);
otherwise a table redrawn every second until interrupted.
"""

from __future__ import annotations

import argparse
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sandbox.commands.render.gostrings import truncate_id
from sandbox.commands.render.units import bytes_size, human_size
from sandbox.errors import EngineError, SandboxError

from ._args import DockerArgumentParser
from ._context import Context
from ._format import Row, format_rows

STATS_TABLE = "table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}"
STATS_HEADER = {"Container": "CONTAINER", "Name": "NAME", "ID": "CONTAINER ID", "CPUPerc": "CPU %",
                "MemUsage": "MEM USAGE / LIMIT", "MemPerc": "MEM %", "NetIO": "NET I/O", "BlockIO": "BLOCK I/O",
                "PIDs": "PIDS"}


@dataclass
class Sample:
    """One computed reading, as docker's StatsEntry."""

    container: str
    name: str = ""
    id: str = ""
    cpu_percent: float = 0.0
    memory: float = 0.0
    memory_limit: float = 0.0
    memory_percent: float = 0.0
    net_rx: float = 0.0
    net_tx: float = 0.0
    block_read: float = 0.0
    block_write: float = 0.0
    pids: int = 0
    invalid: bool = False


def cpu_percent(stats: Mapping[str, Any]) -> float:
    cpu = stats.get("cpu_stats") or {}
    pre = stats.get("precpu_stats") or {}
    cpu_delta = float((cpu.get("cpu_usage") or {}).get("total_usage", 0)) - \
        float((pre.get("cpu_usage") or {}).get("total_usage", 0))
    system_delta = float(cpu.get("system_cpu_usage") or 0) - float(pre.get("system_cpu_usage") or 0)
    online = float(cpu.get("online_cpus") or 0) or float(len((cpu.get("cpu_usage") or {}).get("percpu_usage") or []))
    if system_delta > 0 and cpu_delta > 0:
        return cpu_delta / system_delta * online * 100.0
    return 0.0


def memory_usage(mem: Mapping[str, Any]) -> float:
    """Usage without the page cache that can be dropped (cgroup v1 and v2 keys)."""
    usage = int(mem.get("usage") or 0)
    details = mem.get("stats") or {}
    if "total_inactive_file" in details and details["total_inactive_file"] < usage:
        return float(usage - details["total_inactive_file"])
    inactive = details.get("inactive_file", 0)
    if inactive < usage:
        return float(usage - inactive)
    return float(usage)


def block_io(stats: Mapping[str, Any]) -> tuple[float, float]:
    read = write = 0
    for entry in (stats.get("blkio_stats") or {}).get("io_service_bytes_recursive") or []:
        op = str(entry.get("op", "")).lower()
        if op == "read":
            read += int(entry.get("value") or 0)
        elif op == "write":
            write += int(entry.get("value") or 0)
    return float(read), float(write)


def sample(container: str, stats: Mapping[str, Any]) -> Sample:
    mem = stats.get("memory_stats") or {}
    used = memory_usage(mem)
    limit = float(mem.get("limit") or 0)
    rx = sum(float(n.get("rx_bytes") or 0) for n in (stats.get("networks") or {}).values())
    tx = sum(float(n.get("tx_bytes") or 0) for n in (stats.get("networks") or {}).values())
    read, write = block_io(stats)
    return Sample(container=container, name=str(stats.get("name") or ""), id=str(stats.get("id") or ""),
                  cpu_percent=cpu_percent(stats), memory=used, memory_limit=limit,
                  memory_percent=used / limit * 100.0 if limit else 0.0, net_rx=rx, net_tx=tx,
                  block_read=read, block_write=write,
                  pids=int((stats.get("pids_stats") or {}).get("current") or 0))


class StatsRow(Row):
    FIELDS = ("BlockIO", "CPUPerc", "Container", "ID", "MemPerc", "MemUsage", "Name", "NetIO", "PIDs")
    go_type = "*container.statsContext"

    def __init__(self, s: Sample, trunc: bool = True) -> None:
        self.s = s
        self.trunc = trunc

    def Container(self) -> str:
        return self.s.container

    def Name(self) -> str:
        return self.s.name[1:] if len(self.s.name) > 1 else "--"

    def ID(self) -> str:
        return truncate_id(self.s.id) if self.trunc else self.s.id

    def CPUPerc(self) -> str:
        return "--" if self.s.invalid else f"{self.s.cpu_percent:.2f}%"

    def MemUsage(self) -> str:
        return "-- / --" if self.s.invalid else f"{bytes_size(self.s.memory)} / {bytes_size(self.s.memory_limit)}"

    def MemPerc(self) -> str:
        return "--" if self.s.invalid else f"{self.s.memory_percent:.2f}%"

    def NetIO(self) -> str:
        return "--" if self.s.invalid else f"{human_size(self.s.net_rx, 3)} / {human_size(self.s.net_tx, 3)}"

    def BlockIO(self) -> str:
        return "--" if self.s.invalid else f"{human_size(self.s.block_read, 3)} / {human_size(self.s.block_write, 3)}"

    def PIDs(self) -> str:
        return "--" if self.s.invalid else str(self.s.pids)


def parser_stats() -> DockerArgumentParser:
    p = DockerArgumentParser("stats", "docker stats [OPTIONS] [CONTAINER...]",
                             "Display a live stream of container(s) resource usage statistics")
    p.add_argument("-a", "--all", action="store_true", help="Show all containers (default shows just running)")
    p.add_argument("--format", default="", help="Format output using a custom template")
    p.add_argument("--no-stream", action="store_true", help="Disable streaming stats and only pull the first result")
    p.add_argument("--no-trunc", action="store_true", help="Do not truncate output")
    return p


def _targets(ctx: Context, ns: argparse.Namespace) -> list[str]:
    if ns.args:
        return list(ns.args)
    return [str(c["Id"])[:12] for c in ctx.client.containers.list(all=ns.all)]


def _pause(seconds: float) -> None:
    """Between redraws (a seam for tests, which must not wait a real second)."""
    time.sleep(seconds)


def _render(fmt: str, samples: list[Sample], trunc: bool) -> str:
    return format_rows(fmt, [StatsRow(s, trunc) for s in samples], STATS_HEADER)


def run_stats(ctx: Context, ns: argparse.Namespace) -> int:
    fmt = ns.format or "table"
    fmt = STATS_TABLE if fmt == "table" else "{{json .}}" if fmt == "json" else fmt
    targets = _targets(ctx, ns)
    if ns.no_stream:
        samples: list[Sample] = []
        failed = False
        for name in targets:
            try:
                samples.append(sample(name, ctx.client.containers.stats(name, stream=False)))  # type: ignore[arg-type]
            except EngineError as err:
                ctx.err(f"Error response from daemon: {err.message}")
                failed = True
        ctx.stdout.write(_render(fmt, samples, not ns.no_trunc))
        return 1 if failed and not samples else 0
    return _stream(ctx, targets, fmt, not ns.no_trunc)


def _stream(ctx: Context, targets: list[str], fmt: str, trunc: bool) -> int:
    latest: dict[str, Sample] = {name: Sample(container=name, invalid=True) for name in targets}
    lock = threading.Lock()
    stop = threading.Event()
    streams: list[Any] = []

    def follow(name: str) -> None:
        try:
            stream = ctx.client.containers.stats(name, stream=True)
            streams.append(stream)
            for stats in stream:  # type: ignore[union-attr]
                if stop.is_set():
                    break
                with lock:
                    latest[name] = sample(name, stats)
        except SandboxError:
            with lock:
                latest[name] = Sample(container=name, invalid=True)

    for name in targets:
        threading.Thread(target=follow, args=(name,), name=f"stats-{name}", daemon=True).start()
    try:
        while True:
            _pause(1.0)
            with lock:
                snapshot = [latest[name] for name in targets]
            # Clear the screen and go home, as docker does on a terminal.
            ctx.stdout.write("\033[2J\033[H" + _render(fmt, snapshot, trunc))
            ctx.stdout.flush()
    except KeyboardInterrupt:
        return 0
    finally:
        stop.set()
        for stream in streams:
            stream.close()
