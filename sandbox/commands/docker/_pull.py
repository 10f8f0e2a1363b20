"""Pulling: ``images/create`` and its progress stream shown like docker's jsonmessage
(one line per message when the output is not a terminal)."""

from __future__ import annotations

from typing import TextIO

from sandbox.errors import EngineError

from ._context import Context
from ._refs import parse_normalized


def split_for_pull(image: str) -> tuple[str, str | None]:
    """(fromImage, tag) as the docker CLI sends them: the full name, the tag apart."""
    ref = parse_normalized(image)
    if ref is None:
        return image, None
    if ref.digest:
        return ref.full_name, ref.digest
    return ref.full_name, ref.tag or "latest"


def tagged(image: str) -> str:
    """The familiar name with ``:latest`` added when no tag was given (TagNameOnly)."""
    ref = parse_normalized(image)
    if ref is None:
        return image
    if ref.tag or ref.digest:
        return ref.familiar()
    return ref.familiar_name + ":latest"


def pull(ctx: Context, image: str, out: TextIO, quiet: bool = False) -> None:
    """Pull ``image``, showing progress on ``out``; raise EngineError on failure."""
    name, tag = split_for_pull(image)
    with ctx.client.images.create(name, tag=tag) as stream:
        for message in stream:
            if "error" in message:
                detail = message.get("errorDetail") or {}
                raise EngineError(500, str(detail.get("message") or message["error"]))
            if quiet:
                continue
            line = _line(message)
            if line is not None:
                out.write(line + "\n")


def _line(message: dict) -> str | None:
    status = str(message.get("status") or "")
    detail = message.get("progressDetail") or {}
    if detail.get("total") or detail.get("current"):
        # Byte-by-byte progress is drawn only on terminals; a log gets the milestones.
        return None
    if message.get("id"):
        return f"{message['id']}: {status}"
    if status:
        return status
    stream = message.get("stream")
    return str(stream).rstrip("\n") if stream else None
