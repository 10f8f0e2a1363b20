"""`sandbox playground` end to end: a real image, overlay, namespaces; nothing left behind."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sandbox.linux import proc

pytestmark = pytest.mark.root


def _sandbox(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(Path(sys.executable).with_name("sandbox")), *args], capture_output=True,
                          text=True, env=env, timeout=120, stdin=subprocess.DEVNULL)


def _playground_cgroups() -> set[Path]:
    return set(Path("/sys/fs/cgroup").glob("*/sandbox/playground-*"))


def test_playground_runs_a_command_and_lists_changes(tmp_path) -> None:
    before = _playground_cgroups()
    env = dict(os.environ, SANDBOX_ROOT=str(tmp_path / "root"), SANDBOX_RUN=str(tmp_path / "run"))
    r = _sandbox("image", "bootstrap", env=env)
    assert r.returncode == 0, r.stderr
    assert "busybox:latest: sha256:" in r.stdout
    assert "busybox:latest" in _sandbox("image", "ls", env=env).stdout
    r = _sandbox("playground", "--", "sh", "-c", "echo hi > /hello; rm /bin/vi; exit 4", env=env)
    assert r.returncode == 4, r.stderr
    assert "A /hello" in r.stdout and "D /bin/vi" in r.stdout
    assert not list((tmp_path / "root" / "containers").glob("playground-*"))
    assert not proc.mounts_under(str(tmp_path))
    assert _playground_cgroups() <= before


def test_bootstrap_if_missing_keeps_the_image(tmp_path) -> None:
    env = dict(os.environ, SANDBOX_ROOT=str(tmp_path / "root"), SANDBOX_RUN=str(tmp_path / "run"))
    first = _sandbox("image", "bootstrap", env=env)
    again = _sandbox("image", "bootstrap", "--if-missing", env=env)
    assert again.returncode == 0 and "already there" in again.stdout
    short_id = first.stdout.split("sha256:")[1][:12]
    assert short_id in _sandbox("image", "ls", env=env).stdout
