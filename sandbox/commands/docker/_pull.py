"""Pulling: ``images/create`` and its progress stream shown like docker's jsonmessage
(per-layer bars on a terminal, one line per change of status otherwise)."""

from __future__ import annotations

from typing import TextIO

from sandbox.errors import EngineError, StreamError

from . import _imageapi as imageapi
from ._context import Context
from ._progress import show_progress
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


def pull(ctx: Context, image: str, out: TextIO, quiet: bool = False, platform: str | None = None) -> None:
    """Pull ``image`` with the user's stored login for its registry, showing per-layer
    progress on ``out`` (bars on a terminal); raise EngineError on failure."""
    name, tag = split_for_pull(image)
    with imageapi.pull(ctx, name, tag, platform) as stream:
        try:
            show_progress(ctx, stream, out, quiet)
        except StreamError as e:
            raise EngineError(500, e.message) from None
