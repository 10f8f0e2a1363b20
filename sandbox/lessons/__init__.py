"""sandbox.lessons: the lesson format, its validator, honest checks, the step flow,
progress, the Killercoda importer and the ``sandbox lessons`` command.

    from sandbox.lessons import load_course, LessonSession, ClientStateReader, CommandRunner
    course = load_course(Path("lessons"))
    session = LessonSession(course.get("hello-container"), ClientStateReader(client),
                            CommandRunner(cwd=lesson.directory, docker_main=docker_main), ProgressStore(path))

The names below are the public surface; the modules behind them may change. They are
loaded on first use, so importing the package costs nothing (the fake ``docker`` of the
tests imports a corner of it for every call).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "Lesson": "model",
    "Step": "model",
    "Hints": "model",
    "Command": "model",
    "DocRef": "model",
    "Course": "loader",
    "Problem": "loader",
    "lint_course": "loader",
    "load_course": "loader",
    "load_lesson": "loader",
    "read_lesson": "loader",
    "Pass": "checks",
    "Fail": "checks",
    "Outcome": "checks",
    "CheckContext": "checks",
    "REGISTRY": "checks",
    "StateReader": "state",
    "ResourceRemover": "state",
    "FileRead": "state",
    "HttpResult": "state",
    "ExecResult": "state",
    "loopback_url": "state",
    "ClientStateReader": "client_state",
    "CommandRunner": "commands",
    "RunCommand": "commands",
    "LessonSession": "runner",
    "StepOutcome": "runner",
    "Hint": "runner",
    "Progress": "progress",
    "ProgressStore": "progress",
    "default_path": "progress",
    "Inventory": "inventory",
    "ResetReport": "inventory",
    "LessonReport": "solver",
    "solve_all": "solver",
    "solve_lesson": "solver",
    "import_scenario": "killercoda",
    "Text": "text",
    "LANGS": "text",
    "main": "cli",
}

__all__ = [
    "LANGS",
    "REGISTRY",
    "CheckContext",
    "ClientStateReader",
    "Command",
    "CommandRunner",
    "Course",
    "DocRef",
    "ExecResult",
    "Fail",
    "FileRead",
    "Hint",
    "Hints",
    "HttpResult",
    "Inventory",
    "Lesson",
    "LessonReport",
    "LessonSession",
    "Outcome",
    "Pass",
    "Problem",
    "Progress",
    "ProgressStore",
    "ResetReport",
    "ResourceRemover",
    "RunCommand",
    "StateReader",
    "Step",
    "StepOutcome",
    "Text",
    "default_path",
    "import_scenario",
    "lint_course",
    "load_course",
    "load_lesson",
    "loopback_url",
    "main",
    "read_lesson",
    "solve_all",
    "solve_lesson",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'sandbox.lessons' has no attribute {name!r}")
    return getattr(import_module(f"sandbox.lessons.{module}"), name)


def __dir__() -> list[str]:
    return __all__
