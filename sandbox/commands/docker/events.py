"""``docker events``: the engine's event stream, live or between --since and --until."""

from __future__ import annotations

import argparse

from sandbox.commands.gotemplate import Template
from sandbox.commands.render.gotime import get_timestamp, rfc3339_nano_fixed

from ._args import DockerArgumentParser, require_args
from ._context import Context
from ._filters import parse_filters


def parser_events() -> DockerArgumentParser:
    p = DockerArgumentParser("events", "docker events [OPTIONS]", "Get real time events from the server")
    p.add_argument("-f", "--filter", action="append", default=[], help="Filter output based on conditions provided")
    p.add_argument("--format", default="", help="Format output using a custom template")
    p.add_argument("--since", default="", help="Show all events created since timestamp")
    p.add_argument("--until", default="", help="Stream events until this timestamp")
    return p


def pretty_event(event: dict) -> str:
    """``<time> <Type> <Action> <id> (k=v, …)``, docker's default line."""
    nanos = int(event.get("timeNano") or 0) or int(event.get("time") or 0) * 1_000_000_000
    actor = event.get("Actor") or {}
    line = f"{rfc3339_nano_fixed(nanos)} " if nanos else ""
    line += f"{event.get('Type', '')} {event.get('Action', '')} {actor.get('ID', '')}"
    attributes = actor.get("Attributes") or {}
    if attributes:
        line += " (" + ", ".join(f"{k}={attributes[k]}" for k in sorted(attributes)) + ")"
    return line


def run_events(ctx: Context, ns: argparse.Namespace) -> int:
    require_args(parser_events(), ns.args, 0, 0)
    fmt = "{{json .}}" if ns.format == "json" else ns.format
    template = Template.parse(fmt) if fmt else None
    since = get_timestamp(ns.since) if ns.since else None
    until = get_timestamp(ns.until) if ns.until else None
    with ctx.client.events(since=since, until=until, filters=parse_filters("events", ns.filter)) as stream:
        for event in stream:
            ctx.out(template.execute(event) if template else pretty_event(event))
            ctx.stdout.flush()
    return 0
