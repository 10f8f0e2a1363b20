"""The shell's own keys."""

from __future__ import annotations

from pathlib import Path

from prompt_toolkit.keys import Keys

from sandbox.repl.keys import shell_keys
from tests.repl.conftest import FakeEngine, run_shell


def test_the_shells_keys_are_bound() -> None:
    keys = {binding.keys for binding in shell_keys(lambda: None).bindings}
    assert {(Keys.ControlM,), (Keys.ControlAt,), (Keys.F1,)} <= keys


def test_f1_prints_the_help_above_the_prompt(engine: FakeEngine, tmp_path: Path) -> None:
    result = run_shell(engine, "\x1bOP\x1bOP", tmp_path)
    assert result.transcript.count("sandbox shell  commands:") == 2
