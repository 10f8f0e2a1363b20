"""The TUI's one door to the system: a ``Backend`` protocol with a real implementation over
``sandbox.client`` / ``sandbox.commands`` / ``sandbox.lessons`` and a fake one fed by JSON
fixtures (``SANDBOX_TUI_FAKE=DIR``). The implementations are imported on demand, so
importing this package stays cheap."""

from .protocol import Backend, EventStream, LessonSession, OutputSink
from .types import (
    LANGS,
    PICTURES,
    CheckResult,
    CommandResult,
    EngineStatus,
    LessonDoc,
    LessonSummary,
    Localized,
    Names,
    ShowSpec,
    StepDoc,
    TraceRecord,
    normalize_picture,
)

__all__ = [
    "LANGS",
    "PICTURES",
    "Backend",
    "CheckResult",
    "CommandResult",
    "EngineStatus",
    "EventStream",
    "LessonDoc",
    "LessonSession",
    "LessonSummary",
    "Localized",
    "Names",
    "OutputSink",
    "ShowSpec",
    "StepDoc",
    "TraceRecord",
    "normalize_picture",
]
