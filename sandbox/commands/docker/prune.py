"""``container prune`` and ``image prune``: remove what nothing uses, after asking."""

from __future__ import annotations

import argparse

from sandbox.commands.render.units import human_size

from ._args import DockerArgumentParser, require_args
from ._context import Context
from ._filters import parse_filters


def _confirm(ctx: Context, warning: str) -> bool:
    ctx.stdout.write(f"{warning}\nAre you sure you want to continue? [y/N] ")
    ctx.stdout.flush()
    answer = ctx.stdin.readline() if ctx.stdin is not None else ""
    return answer.strip().lower() in ("y", "yes")


def parser_container_prune() -> DockerArgumentParser:
    p = DockerArgumentParser("container prune", "docker container prune [OPTIONS]", "Remove all stopped containers")
    p.add_argument("--filter", action="append", default=[], help="Provide filter values (e.g. \"until=<timestamp>\")")
    p.add_argument("-f", "--force", action="store_true", help="Do not prompt for confirmation")
    return p


def run_container_prune(ctx: Context, ns: argparse.Namespace) -> int:
    require_args(parser_container_prune(), ns.args, 0, 0)
    if not ns.force and not _confirm(ctx, "WARNING! This will remove all stopped containers."):
        return 0
    report = ctx.client.containers.prune(filters=parse_filters("container prune", ns.filter))
    deleted = report.get("ContainersDeleted") or []
    if deleted:
        ctx.out("Deleted Containers:")
        for ident in deleted:
            ctx.out(ident)
        ctx.out()
    ctx.out(f"Total reclaimed space: {human_size(int(report.get('SpaceReclaimed') or 0))}")
    return 0


def parser_image_prune() -> DockerArgumentParser:
    p = DockerArgumentParser("image prune", "docker image prune [OPTIONS]", "Remove unused images")
    p.add_argument("-a", "--all", action="store_true", help="Remove all unused images, not just dangling ones")
    p.add_argument("--filter", action="append", default=[], help="Provide filter values (e.g. \"until=<timestamp>\")")
    p.add_argument("-f", "--force", action="store_true", help="Do not prompt for confirmation")
    return p


def run_image_prune(ctx: Context, ns: argparse.Namespace) -> int:
    require_args(parser_image_prune(), ns.args, 0, 0)
    warning = ("WARNING! This will remove all images without at least one container associated to them."
               if ns.all else "WARNING! This will remove all dangling images.")
    if not ns.force and not _confirm(ctx, warning):
        return 0
    filters = parse_filters("image prune", ns.filter)
    filters.setdefault("dangling", {})["false" if ns.all else "true"] = True
    report = ctx.client.images.prune(filters=filters)
    deleted = report.get("ImagesDeleted") or []
    if deleted:
        ctx.out("Deleted Images:")
        for item in deleted:
            if item.get("Untagged"):
                ctx.out(f"untagged: {item['Untagged']}")
            if item.get("Deleted"):
                ctx.out(f"deleted: {item['Deleted']}")
        ctx.out()
    ctx.out(f"Total reclaimed space: {human_size(int(report.get('SpaceReclaimed') or 0))}")
    return 0
