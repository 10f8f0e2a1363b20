"""Where the shell keeps its history: ``$XDG_STATE_HOME/sandbox/shell_history``, and
``~/.local/state/sandbox/shell_history`` without it (the XDG base directory spec's
default for state that should survive restarts but is not worth backing up)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from prompt_toolkit.history import FileHistory, History, InMemoryHistory


def history_path(env: Mapping[str, str]) -> Path:
    state = env.get("XDG_STATE_HOME", "")
    # The spec says a relative path in an XDG variable is invalid and must be ignored.
    if state and os.path.isabs(state):
        base = Path(state)
    else:
        base = Path(env.get("HOME") or Path.home()) / ".local" / "state"
    return base / "sandbox" / "shell_history"


def open_history(env: Mapping[str, str]) -> tuple[History, str | None]:
    """The file history, or an in-memory one and the reason when the file cannot be made
    (a read-only home): history is a convenience, never a reason not to start."""
    path = history_path(env)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(exist_ok=True)
    except OSError as err:
        return InMemoryHistory(), f"history is not kept: {path}: {err.strerror or err}"
    return FileHistory(str(path)), None
