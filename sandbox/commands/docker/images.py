"""``docker images`` / ``image ls``: one row per repository:tag, docker's columns and sizes."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import Any

from sandbox.commands.render import clock
from sandbox.commands.render.gostrings import truncate_id
from sandbox.commands.render.gotime import go_time_string
from sandbox.commands.render.units import human_duration, human_size

from ._args import DockerArgumentParser, require_args
from ._context import Context
from ._filters import parse_filters
from ._format import QUIET_FORMAT, Row, render_rows
from ._refs import parse_normalized

IMAGES_TABLE = ("table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t"
                "{{if .CreatedSince}}{{.CreatedSince}}{{else}}N/A{{end}}\t{{.Size}}")
IMAGES_TABLE_DIGESTS = ("table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t"
                        "{{if .CreatedSince}}{{.CreatedSince}}{{else}}N/A{{end}}\t{{.Size}}")
IMAGES_HEADER = {"ID": "IMAGE ID", "Repository": "REPOSITORY", "Tag": "TAG", "Digest": "DIGEST",
                 "CreatedSince": "CREATED", "CreatedAt": "CREATED AT", "Size": "SIZE", "Containers": "CONTAINERS",
                 "VirtualSize": "SIZE", "SharedSize": "SHARED SIZE", "UniqueSize": "UNIQUE SIZE"}


class ImageRow(Row):
    FIELDS = ("Containers", "CreatedAt", "CreatedSince", "Digest", "ID", "Repository", "SharedSize", "Size",
              "Tag", "UniqueSize", "VirtualSize")
    go_type = "*formatter.imageContext"

    def __init__(self, summary: Mapping[str, Any], repo: str, tag: str, digest: str, trunc: bool = True,
                 now: float | None = None) -> None:
        self.i = summary
        self.repo = repo
        self.tag = tag
        self.digest = digest
        self.trunc = trunc
        self.now = clock.now() if now is None else now

    def ID(self) -> str:
        ident = str(self.i.get("Id", ""))
        return truncate_id(ident) if self.trunc else ident

    def Repository(self) -> str:
        return self.repo

    def Tag(self) -> str:
        return self.tag

    def Digest(self) -> str:
        return self.digest

    def CreatedSince(self) -> str:
        # Go's zero time is year 1, not the epoch: an image created "at 0" is 56 years old.
        return human_duration(self.now - int(self.i.get("Created") or 0)) + " ago"

    def CreatedAt(self) -> str:
        return go_time_string(int(self.i.get("Created") or 0))

    def Size(self) -> str:
        return human_size(int(self.i.get("Size") or 0), 3)

    def Containers(self) -> str:
        count = self.i.get("Containers", -1)
        return "N/A" if count in (-1, None) else str(count)

    def VirtualSize(self) -> str:
        return human_size(int(self.i.get("Size") or 0))

    def SharedSize(self) -> str:
        shared = self.i.get("SharedSize", -1)
        return "N/A" if shared in (-1, None) else human_size(int(shared))

    def UniqueSize(self) -> str:
        size, shared = self.i.get("Size", -1), self.i.get("SharedSize", -1)
        if size in (-1, None) or shared in (-1, None):
            return "N/A"
        return human_size(int(size) - int(shared))


def _dangling(image: Mapping[str, Any]) -> bool:
    tags = image.get("RepoTags") or []
    digests = image.get("RepoDigests") or []
    if not tags and not digests:
        return True
    return tags == ["<none>:<none>"] and digests == ["<none>@<none>"]


def image_rows(images: list[Mapping[str, Any]], trunc: bool, show_digests: bool, need_digest: bool) -> list[ImageRow]:
    """One row per repository:tag (docker's imageFormatTaggedAndDigest)."""
    rows: list[ImageRow] = []
    for image in images:
        if _dangling(image):
            rows.append(ImageRow(image, "<none>", "<none>", "<none>", trunc))
            continue
        tags: dict[str, list[str]] = {}
        digests: dict[str, list[str]] = {}
        for text in image.get("RepoTags") or []:
            ref = parse_normalized(text)
            if ref is not None and ref.tag:
                tags.setdefault(ref.familiar_name, []).append(ref.tag)
        for text in image.get("RepoDigests") or []:
            ref = parse_normalized(text)
            if ref is not None and ref.digest:
                digests.setdefault(ref.familiar_name, []).append(ref.digest)
        for repo, repo_tags in tags.items():
            # Digests of a tagged repository never get rows of their own.
            popped = digests.pop(repo, [])
            repo_digests = popped if need_digest else []
            for tag in repo_tags:
                if not repo_digests:
                    rows.append(ImageRow(image, repo, tag, "<none>", trunc))
                for digest in repo_digests:
                    rows.append(ImageRow(image, repo, tag, digest, trunc))
        for repo, repo_digests in digests.items():
            if show_digests:
                rows += [ImageRow(image, repo, "<none>", d, trunc) for d in repo_digests]
            else:
                rows.append(ImageRow(image, repo, "<none>", "", trunc))
    return rows


def parser_images() -> DockerArgumentParser:
    p = DockerArgumentParser("images", "docker images [OPTIONS] [REPOSITORY[:TAG]]", "List images")
    p.add_argument("-a", "--all", action="store_true", help="Show all images (default hides intermediate images)")
    p.add_argument("--digests", action="store_true", help="Show digests")
    p.add_argument("-f", "--filter", action="append", default=[], help="Filter output based on conditions provided")
    p.add_argument("--format", default="", help="Format output using a custom template")
    p.add_argument("--no-trunc", action="store_true", help="Don't truncate output")
    p.add_argument("-q", "--quiet", action="store_true", help="Only show image IDs")
    return p


def run_images(ctx: Context, ns: argparse.Namespace) -> int:
    require_args(parser_images(), ns.args, 0, 1)
    filters = parse_filters("images", ns.filter)
    if ns.args:
        filters.setdefault("reference", {})[ns.args[0]] = True
    images = ctx.client.images.list(all=ns.all, filters=filters)
    fmt = ns.format or "table"
    if fmt == "table":
        fmt = QUIET_FORMAT if ns.quiet else (IMAGES_TABLE_DIGESTS if ns.digests else IMAGES_TABLE)
    elif fmt == "json":
        fmt = "{{json .}}"
    elif fmt.startswith("table") and ns.digests and "{{.Digest}}" not in fmt:
        fmt += "\t{{.Digest}}"
    need_digest = ns.digests or "{{.Digest}}" in fmt
    rows = image_rows(images, trunc=not ns.no_trunc, show_digests=ns.digests, need_digest=need_digest)
    render_rows(ctx, fmt, rows, IMAGES_HEADER)
    return 0
