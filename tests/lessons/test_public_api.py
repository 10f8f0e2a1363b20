"""The package's public names: pinned, and each one really there."""

from __future__ import annotations

import subprocess
import sys

from sandbox import lessons


def test_exported_names() -> None:
    assert sorted(lessons.__all__) == sorted(
        [
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
            "LANGS",
            "Lesson",
            "LessonReport",
            "LessonSession",
            "Outcome",
            "Pass",
            "Problem",
            "Progress",
            "ProgressStore",
            "REGISTRY",
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
    )
    for name in lessons.__all__:
        assert getattr(lessons, name) is not None


def test_importing_the_package_loads_nothing_else() -> None:
    code = "import sys, sandbox.lessons; print([m for m in sys.modules if m.startswith('sandbox.lessons.')])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
