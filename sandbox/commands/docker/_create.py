"""Creating a container the way the docker CLI does: create, and on 404 pull then retry.

``--cidfile`` is the client's business (the engine only stores the name): the file must
not exist, is created before the container so a second ``run`` with the same file fails
early, receives the id, and is removed again when no container came of it.
"""

from __future__ import annotations

import contextlib
import os
from typing import Any

from sandbox.errors import EngineError, LocalFileError

from ._context import Context
from ._pull import pull, tagged
from ._refs import parse_normalized


def create_container(ctx: Context, body: dict[str, Any], name: str, pull_policy: str = "missing",
                     quiet: bool = False, platform: str | None = None) -> str:
    shown = str((body.get("HostConfig") or {}).get("ContainerIDFile") or "")
    cidfile = str(ctx.local_path(shown)) if shown else ""
    if cidfile:
        _claim(cidfile, shown)
    try:
        container = _create(ctx, body, name, pull_policy, quiet, platform)
    except BaseException:
        if cidfile:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(cidfile)
        raise
    if cidfile:
        with open(cidfile, "w", encoding="utf-8") as out:
            out.write(container)
    return container


def _claim(path: str, shown: str) -> None:
    try:
        # O_EXCL: the check and the creation are one step, so two runs cannot both win.
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    except FileExistsError:
        raise LocalFileError(f"container ID file found, make sure the other container isn't running or "
                                   f"delete {shown}") from None
    except OSError as err:
        raise LocalFileError(f"failed to create the container ID file: open {shown}: "
                                   f"{(err.strerror or str(err)).lower()}") from None


def _create(ctx: Context, body: dict[str, Any], name: str, pull_policy: str, quiet: bool,
            platform: str | None) -> str:
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
