"""Shared by the classroom VM's checks. They read and run the scripts, never boot a VM:
``make vm-test`` does that."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PROVISION = REPO / "vagrant" / "provision.sh"


def makefile_words(text: str, name: str) -> list[str]:
    """The words of ``NAME := …`` in a Makefile, backslash continuations joined."""
    joined = text.replace("\\\n", " ")
    match = re.search(rf"^{re.escape(name)}\s*:?=(.*)$", joined, re.MULTILINE)
    assert match, f"no {name} in the Makefile"
    return match.group(1).split()


def run(argv: list[str], *, env: dict[str, str] | None = None, cwd: Path = REPO,
        timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout,
                          check=False)
