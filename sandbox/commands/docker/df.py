"""``docker system df``: space used by images, containers, volumes and the build cache.

The totals are computed here from the lists ``/system/df`` returns, as docker 28 does
against API 1.41–1.47 engines.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from typing import Any

from sandbox.commands.render.units import human_size

from ._args import DockerArgumentParser, require_args
from ._context import Context
from ._format import Row, render_rows

DF_TABLE = "table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}"
DF_HEADER = {"Type": "TYPE", "TotalCount": "TOTAL", "Active": "ACTIVE", "Size": "SIZE", "Reclaimable": "RECLAIMABLE"}


def _with_percent(reclaimable: int, total: int) -> str:
    if total > 0:
        return f"{human_size(reclaimable)} ({reclaimable * 100 // total}%)"
    return human_size(reclaimable)


class UsageRow(Row):
    FIELDS = ("Active", "Reclaimable", "Size", "TotalCount", "Type")
    go_type = "*formatter.diskUsageContext"

    def __init__(self, kind: str, total: int, active: int, size: int, reclaimable: str) -> None:
        self.kind, self.total, self.active, self.size, self.reclaimable = kind, total, active, size, reclaimable

    def Type(self) -> str:
        return self.kind

    def TotalCount(self) -> str:
        return str(self.total)

    def Active(self) -> str:
        return str(self.active)

    def Size(self) -> str:
        return human_size(self.size)

    def Reclaimable(self) -> str:
        return self.reclaimable


def _count(items: list[Mapping[str, Any]], test: Callable[[Mapping[str, Any]], bool]) -> int:
    return sum(1 for item in items if test(item))


def usage_rows(df: Mapping[str, Any]) -> list[UsageRow]:
    images = df.get("Images") or []
    containers = df.get("Containers") or []
    volumes = df.get("Volumes") or []
    cache = df.get("BuildCache") or []

    layers = int(df.get("LayersSize") or 0)
    used = sum(int(i.get("Size", 0)) - int(i.get("SharedSize", 0)) for i in images
               if int(i.get("Containers") or 0) != 0 and i.get("Size", -1) != -1 and i.get("SharedSize", -1) != -1)
    image_row = UsageRow("Images", len(images), _count(images, lambda i: int(i.get("Containers") or 0) > 0),
                         layers, _with_percent(layers - used, layers))

    def active(c: Mapping[str, Any]) -> bool:
        return any(s in str(c.get("State", "")) for s in ("running", "paused", "restarting"))

    csize = sum(int(c.get("SizeRw") or 0) for c in containers)
    creclaim = sum(int(c.get("SizeRw") or 0) for c in containers if not active(c))
    container_row = UsageRow("Containers", len(containers), _count(containers, active), csize,
                             _with_percent(creclaim, csize))

    def vsize(v: Mapping[str, Any]) -> int:
        size = int((v.get("UsageData") or {}).get("Size", -1))
        return size if size != -1 else 0

    def vused(v: Mapping[str, Any]) -> bool:
        return int((v.get("UsageData") or {}).get("RefCount", 0)) > 0

    total_v = sum(vsize(v) for v in volumes)
    volume_row = UsageRow("Local Volumes", len(volumes), _count(volumes, vused), total_v,
                          _with_percent(sum(vsize(v) for v in volumes if not vused(v)), total_v))
    bsize = sum(int(b.get("Size") or 0) for b in cache if not b.get("Shared"))
    breclaim = sum(int(b.get("Size") or 0) for b in cache if not b.get("InUse") and not b.get("Shared"))
    cache_row = UsageRow("Build Cache", len(cache), _count(cache, lambda b: bool(b.get("InUse"))), bsize,
                         human_size(breclaim))
    return [image_row, container_row, volume_row, cache_row]


def parser_df() -> DockerArgumentParser:
    p = DockerArgumentParser("system df", "docker system df [OPTIONS]", "Show docker disk usage")
    p.add_argument("--format", default="", help="Format output using a custom template")
    p.add_argument("-v", "--verbose", action="store_true", help="Show detailed information on space usage")
    return p


def run_df(ctx: Context, ns: argparse.Namespace) -> int:
    require_args(parser_df(), ns.args, 0, 0)
    df = ctx.client.df()
    fmt = ns.format or "table"
    fmt = DF_TABLE if fmt == "table" else "{{json .}}" if fmt == "json" else fmt
    render_rows(ctx, fmt, usage_rows(df), DF_HEADER)
    return 0
