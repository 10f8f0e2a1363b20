"""The package's surface: only ``main``, nothing heavy at import time, and ``sandbox shell``'s
arguments."""

from __future__ import annotations

import subprocess
import sys

import sandbox.repl
from sandbox.repl import main


def test_only_main_is_exported() -> None:
    assert sandbox.repl.__all__ == ["main"]


def test_importing_the_package_loads_no_ui_library() -> None:
    code = "import sys, sandbox.repl; print(sorted(m for m in ('prompt_toolkit', 'sandbox.client') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_help_and_a_stray_argument(capsys) -> None:
    assert main(["--help"]) == 0
    assert "usage: sandbox shell" in capsys.readouterr().out
    assert main(["bogus"]) == 2
    assert "unexpected argument 'bogus'" in capsys.readouterr().err


def test_a_tcp_docker_host_is_refused_with_a_reason(monkeypatch, capsys) -> None:
    monkeypatch.setenv("DOCKER_HOST", "tcp://127.0.0.1:2375")
    assert main([]) == 1
    assert "only unix:// addresses are supported" in capsys.readouterr().err
