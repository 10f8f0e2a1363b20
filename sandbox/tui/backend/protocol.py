"""The calls the TUI makes, as a Protocol, so the UI runs against a real engine
(``client.py``) or against recorded JSON (``fake.py``) without knowing which.

Every call may block (it is HTTP underneath): the UI makes them from worker threads only.
Failures are ``SandboxError``s (``EngineUnavailable``, ``EngineError``, ``TuiError`` …) and
the UI renders them the same way everywhere: message, then hint.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Protocol

from .types import JSON, CheckResult, CommandResult, EngineStatus, LessonDoc, LessonSummary, Names

OutputSink = Callable[[str], None]
"""Receives a command's output as it is written, chunk by chunk (from the worker thread)."""


class EventStream(Protocol):
    """A live, blocking stream of JSON documents; ``close`` (from any thread) ends the
    iteration promptly so a worker blocked in it can finish."""

    def __iter__(self) -> Iterator[JSON]: ...

    def close(self) -> None: ...


class LessonSession(Protocol):
    """One open lesson: its text and its checks. Passing a check records progress."""

    doc: LessonDoc

    def done(self) -> frozenset[int]:
        """Indexes of the steps already passed (from the saved progress)."""

    def check(self, step: int) -> CheckResult:
        """Evaluate step ``step``'s check against real state now."""

    def reset(self) -> None:
        """Remove what this lesson made, forget its progress, and run its setup again."""


class Backend(Protocol):
    def engine_status(self) -> EngineStatus: ...

    # -- lessons ---------------------------------------------------------------------------
    def list_lessons(self) -> list[LessonSummary]: ...

    def open_session(self, lesson_id: str) -> LessonSession: ...

    # -- commands --------------------------------------------------------------------------
    def run_command(self, line: str, on_output: OutputSink | None = None) -> CommandResult:
        """Run one ``docker …`` line with captured output; returns once it ended."""

    def run_interactive(self, line: str) -> int:
        """Run one line on the real terminal (the app is suspended meanwhile); its exit code."""

    def names(self) -> Names:
        """Containers, images, volumes and networks that exist now, for completion."""

    # -- picture data ----------------------------------------------------------------------
    def image(self, reference: str) -> JSON:
        """``{"inspect": GET /images/{ref}/json, "history": GET /images/{ref}/history}``."""

    def layer_files(self, reference: str) -> list[JSON] | None:
        """Each layer's file list, bottom first (``[{"digest", "files": [...]}]``), or None
        when the engine does not offer it."""

    def container(self, reference: str) -> JSON:
        """``GET /containers/{ref}/json``."""

    def changes(self, reference: str) -> list[JSON]:
        """``GET /containers/{ref}/changes``: the container's upper layer."""

    def namespaces(self, reference: str) -> JSON:
        """``GET /sandbox/containers/{ref}/namespaces``."""

    def cgroup(self, reference: str) -> JSON:
        """``GET /sandbox/containers/{ref}/cgroup``."""

    def topology(self, network: str) -> JSON:
        """``GET /sandbox/networks/{id}/topology``."""

    def events(self) -> EventStream:
        """``GET /events``, live, until closed."""

    def close(self) -> None: ...
