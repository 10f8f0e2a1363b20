"""``docker search``: repositories matching a term (a registry of our own is searched
through its catalog: ``docker search 127.0.0.1:5000/app``)."""

from __future__ import annotations

import argparse

from sandbox.commands.render.gostrings import ellipsis

from . import _imageapi as imageapi
from ._args import DockerArgumentParser, require_args
from ._context import Context
from ._format import Row, render_rows

SEARCH_TABLE = "table {{.Name}}\t{{.Description}}\t{{.StarCount}}\t{{.IsOfficial}}"
SEARCH_HEADER = {"Name": "NAME", "Description": "DESCRIPTION", "StarCount": "STARS", "IsOfficial": "OFFICIAL",
                 "IsAutomated": "AUTOMATED"}


class SearchRow(Row):
    FIELDS = ("Description", "IsAutomated", "IsOfficial", "Name", "StarCount")
    go_type = "*formatter.searchContext"

    def __init__(self, result: dict, trunc: bool = True) -> None:
        self.r = result
        self.trunc = trunc

    def Name(self) -> str:
        return str(self.r.get("name", ""))

    def Description(self) -> str:
        text = str(self.r.get("description") or "").replace("\n", " ")
        return ellipsis(text, 45) if self.trunc else text

    def StarCount(self) -> str:
        return str(self.r.get("star_count", 0))

    def IsOfficial(self) -> str:
        return "[OK]" if self.r.get("is_official") else ""

    def IsAutomated(self) -> str:
        return "[OK]" if self.r.get("is_automated") else ""


def parser_search() -> DockerArgumentParser:
    p = DockerArgumentParser("search", "docker search [OPTIONS] TERM", "Search Docker Hub for images")
    p.add_argument("-f", "--filter", action="append", default=[], help="Filter output based on conditions provided")
    p.add_argument("--format", default="", help="Pretty-print search using a Go template")
    p.add_argument("--limit", type=int, default=None, help="Max number of search results")
    p.add_argument("--no-trunc", action="store_true", help="Don't truncate output")
    return p


def run_search(ctx: Context, ns: argparse.Namespace) -> int:
    require_args(parser_search(), ns.args, 1, 1)
    filters = dict(f.split("=", 1) for f in ns.filter if "=" in f)
    results = imageapi.search(ctx, ns.args[0], ns.limit, filters)
    rows = [SearchRow(r, trunc=not ns.no_trunc) for r in results]
    render_rows(ctx, ns.format or SEARCH_TABLE, rows, SEARCH_HEADER)
    return 0
