"""The progress messages of pull and push; they live in ``sandbox.progress`` (shared with
the ``docker`` commands, which draw them) and are re-exported here for the registry code."""

from __future__ import annotations

from sandbox.progress import (
    BAR_WIDTH,
    ProgressCallback,
    ProgressEvent,
    ProgressRenderer,
    error_message,
    human_size,
    progress_bar,
    short_id,
)

__all__ = ["BAR_WIDTH", "ProgressCallback", "ProgressEvent", "ProgressRenderer", "error_message", "human_size",
           "progress_bar", "short_id"]
