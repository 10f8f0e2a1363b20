"""`sandbox runtime run` starts a fresh interpreter per container: its imports are part of
every start, so the modules it needs stay clear of the heavy parts of the standard library."""

from __future__ import annotations

import subprocess
import sys

# What a `sandbox runtime run` of a bundle imports, both cgroup backends included.
_START_PATH = ("sandbox.cli", "sandbox.runtime.cli", "sandbox.runtime.runtime", "sandbox.runtime.spec",
               "sandbox.runtime.cgroups", "sandbox.runtime.cgroups.fs.manager",
               "sandbox.runtime.cgroups.fs.hierarchies", "sandbox.runtime.cgroups.fs2.manager",
               "sandbox.runtime.seccomp")
# dataclasses brings inspect, ast, dis and tokenize; typing brings contextlib and more.
_HEAVY = ("dataclasses", "inspect", "typing", "ast", "argparse", "logging")


def test_the_start_path_imports_none_of_the_heavy_modules() -> None:
    code = (f"import sys\nfor m in {_START_PATH!r}: __import__(m)\n"
            f"print(' '.join(sorted(set({_HEAVY!r}) & set(sys.modules))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == ""


def test_the_check_would_see_a_heavy_import() -> None:
    code = "import sys, sandbox.runtime.cgroups as c; c.CgroupManager; print('typing' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "True"
