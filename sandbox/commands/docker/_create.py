"""Creating a container the way the docker CLI does: create, and on 404 pull then retry."""

from __future__ import annotations

from typing import Any

from sandbox.errors import EngineError

from ._context import Context
from ._pull import pull, tagged
from ._refs import parse_normalized


def create_container(ctx: Context, body: dict[str, Any], name: str, pull_policy: str = "missing",
                     quiet: bool = False, platform: str | None = None) -> str:
    image = str(body.get("Image", ""))
    if pull_policy == "always":
        pull(ctx, image, ctx.stderr, quiet)
    try:
        response = ctx.client.containers.create(body, name=name or None, platform=platform or None)
    except EngineError as err:
        named = parse_normalized(image) is not None
        if err.status != 404 or not named or pull_policy != "missing":
            raise
        if not quiet:
            ctx.err(f"Unable to find image '{tagged(image)}' locally")
        pull(ctx, image, ctx.stderr, quiet)
        response = ctx.client.containers.create(body, name=name or None, platform=platform or None)
    for warning in response.get("Warnings") or []:
        ctx.err(f"WARNING: {warning}")
    return str(response["Id"])


def validate_pull_policy(command: str, value: str) -> None:
    from sandbox.errors import UsageError

    if value not in ("always", "missing", "never", ""):
        raise UsageError(command, f"invalid pull option: '{value}': must be one of \"always\", \"missing\" "
                                  "or \"never\"")
