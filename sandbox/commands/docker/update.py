"""``docker update``: change a container's limits (and restart policy) while it runs."""

from __future__ import annotations

import argparse
from typing import Any

from sandbox.errors import EngineError, UsageError

from ._args import DockerArgumentParser, require_args
from ._context import Context
from ._runopts import CPUS, MEMORY, MEMORY_RESERVATION, MEMORY_SWAP, restart_policy


def parser_update() -> DockerArgumentParser:
    p = DockerArgumentParser("update", "docker update [OPTIONS] CONTAINER [CONTAINER...]",
                             "Update configuration of one or more containers")
    p.add_argument("--blkio-weight", type=int, default=None, help="Block IO (relative weight), between 10 and 1000")
    p.add_argument("--cpu-period", type=int, default=None, help="Limit CPU CFS (Completely Fair Scheduler) period")
    p.add_argument("--cpu-quota", type=int, default=None, help="Limit CPU CFS (Completely Fair Scheduler) quota")
    p.add_argument("-c", "--cpu-shares", type=int, default=None, help="CPU shares (relative weight)")
    p.add_argument("--cpus", type=CPUS, default=None, help="Number of CPUs")
    p.add_argument("--cpuset-cpus", default=None, help="CPUs in which to allow execution (0-3, 0,1)")
    p.add_argument("-m", "--memory", type=MEMORY, default=None, help="Memory limit")
    p.add_argument("--memory-reservation", type=MEMORY_RESERVATION, default=None, help="Memory soft limit")
    p.add_argument("--memory-swap", type=MEMORY_SWAP, default=None,
                   help="Swap limit equal to memory plus swap: -1 to enable unlimited swap")
    p.add_argument("--pids-limit", type=int, default=None, help="Tune container pids limit (set -1 for unlimited)")
    p.add_argument("--restart", default=None, help="Restart policy to apply when a container exits")
    return p


def update_body(ns: argparse.Namespace) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if ns.blkio_weight is not None:
        body["BlkioWeight"] = ns.blkio_weight
    if ns.cpu_period is not None:
        body["CpuPeriod"] = ns.cpu_period
    if ns.cpu_quota is not None:
        body["CpuQuota"] = ns.cpu_quota
    if ns.cpu_shares is not None:
        body["CpuShares"] = ns.cpu_shares
    if ns.cpus is not None:
        body["NanoCpus"] = ns.cpus
    if ns.cpuset_cpus is not None:
        body["CpusetCpus"] = ns.cpuset_cpus
    if ns.memory is not None:
        body["Memory"] = ns.memory
    if ns.memory_reservation is not None:
        body["MemoryReservation"] = ns.memory_reservation
    if ns.memory_swap is not None:
        body["MemorySwap"] = ns.memory_swap
    if ns.pids_limit is not None:
        body["PidsLimit"] = ns.pids_limit
    if ns.restart is not None:
        body["RestartPolicy"] = restart_policy("update", ns.restart)
    return body


def run_update(ctx: Context, ns: argparse.Namespace) -> int:
    require_args(parser_update(), ns.args, 1)
    body = update_body(ns)
    if not body:
        raise UsageError("update", "you must provide one or more flags when using this command", exit_code=1)
    failed = False
    for name in ns.args:
        try:
            result = ctx.client.containers.update(name, body)
        except EngineError as err:
            ctx.err(f"Error response from daemon: {err.message}")
            failed = True
            continue
        for warning in result.get("Warnings") or []:
            ctx.err(warning)
        ctx.out(name)
    return 1 if failed else 0
