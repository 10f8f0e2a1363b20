"""What every check shares: the context it runs in and small readings of Docker documents."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ..refs import normalize_ref
from ..state import StateReader
from .result import Outcome


@dataclass
class CheckContext:
    state: StateReader
    lesson_dir: Path = Path(".")
    """Scripts of command checks are found relative to this."""
    since: float = 0.0
    """When the current step began (seconds since the epoch): event checks look from here."""
    lesson_since: float = 0.0
    """When the lesson began."""
    clock: Callable[[], float] = field(default=time.time)


class Check(Protocol):
    def evaluate(self, ctx: CheckContext) -> Outcome: ...


def state_word(doc: dict[str, Any]) -> str:
    """``running``, ``exited (code 1)``, ``paused`` … the way a learner reads ``docker ps``."""
    state = doc.get("State") or {}
    status = str(state.get("Status") or ("running" if state.get("Running") else "exited"))
    if status in ("exited", "dead"):
        return f"{status} (code {state.get('ExitCode', 0)})"
    return status


def container_name(doc: dict[str, Any]) -> str:
    return str(doc.get("Name", "")).lstrip("/") or str(doc.get("Id", ""))[:12]


def is_running(doc: dict[str, Any]) -> bool:
    state = doc.get("State") or {}
    return bool(state.get("Running")) and not state.get("Paused")


__all__ = ["Check", "CheckContext", "container_name", "is_running", "normalize_ref", "short_id", "state_word"]


def short_id(image_id: str) -> str:
    return image_id.removeprefix("sha256:")[:12]
