"""``docker history``: the image's layers, newest first, with what created each."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from sandbox.commands.render import clock
from sandbox.commands.render.gostrings import ellipsis, truncate_id
from sandbox.commands.render.units import human_duration, human_size

from ._args import DockerArgumentParser, parse_bool, require_args
from ._context import Context
from ._format import QUIET_FORMAT, Row, render_rows

HISTORY_TABLE = "table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}"
HISTORY_TABLE_RAW = "table {{.ID}}\t{{.CreatedAt}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}"
HISTORY_HEADER = {"ID": "IMAGE", "CreatedSince": "CREATED", "CreatedAt": "CREATED AT", "CreatedBy": "CREATED BY",
                  "Size": "SIZE", "Comment": "COMMENT"}


class HistoryRow(Row):
    FIELDS = ("Comment", "CreatedAt", "CreatedBy", "CreatedSince", "ID", "Size")
    go_type = "*formatter.historyContext"

    def __init__(self, item: Mapping[str, Any], trunc: bool = True, human: bool = True,
                 now: float | None = None) -> None:
        self.h = item
        self.trunc = trunc
        self.human = human
        self.now = clock.now() if now is None else now

    def ID(self) -> str:
        ident = str(self.h.get("Id", ""))
        return truncate_id(ident) if self.trunc and ident != "<missing>" else ident

    def CreatedAt(self) -> str:
        created = int(self.h.get("Created") or 0)
        return datetime.fromtimestamp(created, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

    def CreatedSince(self) -> str:
        if not self.human:
            return self.CreatedAt()
        created = int(self.h.get("Created") or 0)
        # An unknown creation time (0) shows as N/A, as docker 28 prints it.
        return human_duration(self.now - created) + " ago" if created > 0 else "N/A"

    def CreatedBy(self) -> str:
        created_by = str(self.h.get("CreatedBy") or "").replace("\t", " ")
        return ellipsis(created_by, 45) if self.trunc else created_by

    def Size(self) -> str:
        size = int(self.h.get("Size") or 0)
        return human_size(size, 3) if self.human else str(size)

    def Comment(self) -> str:
        return str(self.h.get("Comment") or "")


def parser_history() -> DockerArgumentParser:
    p = DockerArgumentParser("history", "docker history [OPTIONS] IMAGE", "Show the history of an image")
    p.add_argument("--format", default="", help="Format output using a custom template")
    p.add_argument("-H", "--human", default="true", help="Print sizes and dates in human readable format")
    p.add_argument("--no-trunc", action="store_true", help="Don't truncate output")
    p.add_argument("-q", "--quiet", action="store_true", help="Only show image IDs")
    return p


def run_history(ctx: Context, ns: argparse.Namespace) -> int:
    require_args(parser_history(), ns.args, 1, 1)
    human = parse_bool(ns.human)
    items = ctx.client.images.history(ns.args[0])
    fmt = ns.format or "table"
    if fmt == "table":
        fmt = QUIET_FORMAT if ns.quiet else (HISTORY_TABLE if human else HISTORY_TABLE_RAW)
    elif fmt == "json":
        fmt = "{{json .}}"
    rows = [HistoryRow(item, trunc=not ns.no_trunc, human=human) for item in items]
    render_rows(ctx, fmt, rows, HISTORY_HEADER)
    return 0
