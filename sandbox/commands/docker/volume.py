"""``docker volume create/ls/inspect/rm/prune``: docker 28's flags, tables and messages."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import Any

from sandbox.commands.render.units import human_size
from sandbox.errors import EngineError, UsageError

from ._args import DockerArgumentParser, require_args
from ._context import Context
from ._filters import parse_filters
from ._format import Row, render_rows, resolve_format
from ._natural import natural_key
from ._runopts import labels as key_values
from .inspect import _inspect
from .prune import _confirm

VOLUME_TABLE = "table {{.Driver}}\t{{.Name}}"
VOLUME_HEADER = {"ID": "ID", "Name": "VOLUME NAME", "Group": "GROUP", "Driver": "DRIVER", "Scope": "SCOPE",
                 "Availability": "AVAILABILITY", "Mountpoint": "MOUNTPOINT", "Labels": "LABELS", "Links": "LINKS",
                 "Size": "SIZE", "Status": "STATUS"}
UNUSED_WARNING = "WARNING! This will remove anonymous local volumes not used by at least one container."
ALL_WARNING = "WARNING! This will remove all local volumes not used by at least one container."


class VolumeRow(Row):
    FIELDS = ("Availability", "Driver", "Group", "Labels", "Links", "Mountpoint", "Name", "Scope", "Size",
              "Status")
    go_type = "*formatter.volumeContext"

    def __init__(self, volume: Mapping[str, Any]) -> None:
        self.v = volume

    def Name(self) -> str:
        return str(self.v.get("Name", ""))

    def Driver(self) -> str:
        return str(self.v.get("Driver", ""))

    def Scope(self) -> str:
        return str(self.v.get("Scope", ""))

    def Mountpoint(self) -> str:
        return str(self.v.get("Mountpoint", ""))

    def Labels(self) -> str:
        # Go ranges over a map in random order; sorted is one of the orders it may print.
        return ",".join(sorted(f"{k}={v}" for k, v in (self.v.get("Labels") or {}).items()))

    def Label(self, name: str) -> str:
        return str((self.v.get("Labels") or {}).get(name, ""))

    def Links(self) -> str:
        usage = self.v.get("UsageData")
        return "N/A" if usage is None else str(usage.get("RefCount", 0))

    def Size(self) -> str:
        usage = self.v.get("UsageData")
        return "N/A" if usage is None else human_size(int(usage.get("Size", 0)))

    # Swarm cluster volumes do not exist here; docker prints N/A for a local volume.
    def Group(self) -> str:
        return "N/A"

    def Availability(self) -> str:
        return "N/A"

    def Status(self) -> str:
        return "N/A"


# -- create --------------------------------------------------------------------------------

def parser_volume_create() -> DockerArgumentParser:
    p = DockerArgumentParser("volume create", "docker volume create [OPTIONS] [VOLUME]", "Create a volume")
    p.add_argument("-d", "--driver", default="local", help="Specify volume driver name")
    p.add_argument("--label", action="append", default=[], help="Set metadata for a volume")
    p.add_argument("-o", "--opt", action="append", default=[], help="Set driver specific options")
    return p


def run_volume_create(ctx: Context, ns: argparse.Namespace) -> int:
    require_args(parser_volume_create(), ns.args, 0, 1)
    name = ns.args[0] if ns.args else ""
    opts: dict[str, str] = {}
    for value in ns.opt:
        key, sep, val = value.partition("=")
        if not sep:
            raise UsageError("volume create", f'invalid argument "{value}" for "-o, --opt" flag: '
                                              "bad format for option: expected key=value")
        opts[key] = val
    volume = ctx.client.volumes.create(name or None, driver=ns.driver, labels=key_values(ns.label),
                                       driver_opts=opts)
    ctx.out(str(volume.get("Name", "")))
    return 0


# -- ls ------------------------------------------------------------------------------------

def parser_volume_ls() -> DockerArgumentParser:
    p = DockerArgumentParser("volume ls", "docker volume ls [OPTIONS]", "List volumes")
    p.add_argument("-q", "--quiet", action="store_true", help="Only display volume names")
    p.add_argument("--format", default="", help="Format output using a custom template")
    p.add_argument("-f", "--filter", action="append", default=[], help="Provide filter values (e.g. \"dangling=true\")")
    p.add_argument("--cluster", action="store_true", help="Display only cluster volumes, and use cluster volume list formatting")
    return p


def run_volume_ls(ctx: Context, ns: argparse.Namespace) -> int:
    require_args(parser_volume_ls(), ns.args, 0, 0)
    listed = ctx.client.volumes.list(filters=parse_filters("volume ls", ns.filter))
    volumes = sorted(listed["Volumes"], key=lambda v: natural_key(str(v.get("Name", ""))))
    if ns.cluster:
        volumes = []  # no swarm here, so no cluster volumes
    fmt = resolve_format(ns.format, VOLUME_TABLE, ns.quiet, "{{.Name}}")
    render_rows(ctx, fmt, [VolumeRow(v) for v in volumes], VOLUME_HEADER)
    return 0


# -- inspect -------------------------------------------------------------------------------

def parser_volume_inspect() -> DockerArgumentParser:
    p = DockerArgumentParser("volume inspect", "docker volume inspect [OPTIONS] VOLUME [VOLUME...]",
                             "Display detailed information on one or more volumes")
    p.add_argument("-f", "--format", default="", help="Format output using a custom template")
    return p


def run_volume_inspect(ctx: Context, ns: argparse.Namespace) -> int:
    require_args(parser_volume_inspect(), ns.args, 1)
    return _inspect(ctx, ns.args, ns.format, "volume")


# -- rm ------------------------------------------------------------------------------------

def parser_volume_rm() -> DockerArgumentParser:
    p = DockerArgumentParser("volume rm", "docker volume rm [OPTIONS] VOLUME [VOLUME...]",
                             "Remove one or more volumes")
    p.add_argument("-f", "--force", action="store_true", help="Force the removal of one or more volumes")
    return p


def run_volume_rm(ctx: Context, ns: argparse.Namespace) -> int:
    require_args(parser_volume_rm(), ns.args, 1)
    failed = False
    for name in ns.args:
        try:
            ctx.client.volumes.remove(name, force=ns.force)
        except EngineError as err:
            ctx.err(f"Error response from daemon: {err.message}")
            failed = True
            continue
        ctx.out(name)
    return 1 if failed else 0


# -- prune ---------------------------------------------------------------------------------

def parser_volume_prune() -> DockerArgumentParser:
    p = DockerArgumentParser("volume prune", "docker volume prune [OPTIONS]", "Remove unused local volumes")
    p.add_argument("-a", "--all", action="store_true", help="Remove all unused volumes, not just anonymous ones")
    p.add_argument("--filter", action="append", default=[], help="Provide filter values (e.g. \"label=<label>\")")
    p.add_argument("-f", "--force", action="store_true", help="Do not prompt for confirmation")
    return p


def run_volume_prune(ctx: Context, ns: argparse.Namespace) -> int:
    require_args(parser_volume_prune(), ns.args, 0, 0)
    filters = parse_filters("volume prune", ns.filter)
    warning = UNUSED_WARNING
    if ctx.client.speaks("1.42"):
        if ns.all:
            if "all" in filters:
                ctx.err("conflicting options: cannot specify both --all and --filter all=1")
                return 1
            filters["all"] = {"true": True}
            warning = ALL_WARNING
    else:
        if ns.all:
            ctx.err(f'"--all" requires API version 1.42, but the Docker daemon API version is {ctx.client.api_version}')
            return 1
        # Before API 1.42 an engine's prune takes named volumes too.
        warning = ALL_WARNING
    if not ns.force and not _confirm(ctx, warning):
        return 0
    report = ctx.client.volumes.prune(filters=filters)
    deleted = report.get("VolumesDeleted") or []
    if deleted:
        ctx.out("Deleted Volumes:")
        for name in deleted:
            ctx.out(name)
        ctx.out()
    ctx.out(f"Total reclaimed space: {human_size(int(report.get('SpaceReclaimed') or 0))}")
    return 0
