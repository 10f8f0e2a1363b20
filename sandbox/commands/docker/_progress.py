"""Showing the JSON message streams of pull, push, load and import as docker does.

On a terminal each layer keeps one line with its bar, redrawn in place; elsewhere one line
per change of a layer's status (``sandbox.progress.ProgressRenderer``). An error message in
the stream ends the command with the engine's words.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TextIO

from sandbox.errors import StreamError
from sandbox.progress import ProgressRenderer

from ._context import Context


def failure(message: dict[str, Any]) -> StreamError | None:
    if "error" not in message and "errorDetail" not in message:
        return None
    detail = message.get("errorDetail") or {}
    code = detail.get("code")
    return StreamError(str(detail.get("message") or message.get("error") or "unknown error"),
                        code if isinstance(code, int) and code > 0 else None)


def show_progress(ctx: Context, messages: Iterable[dict[str, Any]], out: TextIO | None = None,
                  quiet: bool = False) -> list[dict[str, Any]]:
    """Draw every message (unless ``quiet``); returns them; raises ``StreamError``."""
    seen: list[dict[str, Any]] = []
    target = out if out is not None else ctx.stdout
    render = ProgressRenderer(target, tty=ctx.stdout_is_tty() if out is None else None)
    for message in messages:
        error = failure(message)
        if error is not None:
            raise error
        seen.append(message)
        detail = message.get("progressDetail") or {}
        if quiet or (not render.tty and (detail.get("current") or detail.get("total"))):
            # Byte counts are drawn only on terminals; a log gets the milestones, as docker's.
            continue
        render(message)
    return seen
