"""The vm/ scripts: they parse, shellcheck finds nothing, and the pieces that decide
something (the cache key, pruning, the guest's cgroup v2 guard) do what they say."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.vm.helpers import PROVISION, REPO, run

SCRIPTS = sorted([*(REPO / "vm").glob("*.sh"), *(REPO / "vm" / "guest").glob("*.sh"), PROVISION])


def test_there_are_scripts() -> None:
    names = {p.name for p in SCRIPTS}
    assert {"build-rootfs.sh", "build-image.sh", "build-box.sh", "test.sh", "run-tests.sh"} <= names


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: str(p.relative_to(REPO)))
def test_it_parses(script: Path) -> None:
    done = run(["bash", "-n", str(script)])
    assert done.returncode == 0, done.stderr


@pytest.mark.skipif(not shutil.which("shellcheck"), reason="shellcheck is not installed")
def test_shellcheck_finds_nothing() -> None:
    done = run(["shellcheck", "-x", *[str(p.relative_to(REPO)) for p in SCRIPTS]])
    assert done.returncode == 0, done.stdout


def lib(snippet: str, out: Path) -> str:
    """Run ``snippet`` after sourcing vm/lib.sh, with its outputs under ``out``."""
    done = subprocess.run(["bash", "-c", f'set -euo pipefail; . "{REPO}/vm/lib.sh"; {snippet}'],
                          env={**os.environ, "VM_OUT": str(out)}, capture_output=True, text=True,
                          timeout=30, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_the_cache_key_follows_contents_not_order(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.write_text("one")
    b.write_text("two")
    key = lib(f"content_hash {a} {b} --string x", tmp_path)
    assert len(key) == 16
    assert lib(f"content_hash {b} {a} --string x", tmp_path) == key
    assert lib(f"content_hash {a} {b} --string y", tmp_path) != key
    b.write_text("changed")
    assert lib(f"content_hash {a} {b} --string x", tmp_path) != key


def test_the_image_key_covers_the_sources_and_the_course(tmp_path: Path) -> None:
    files = lib("project_files", tmp_path).splitlines()
    assert str(REPO / "pyproject.toml") in files
    assert any(f.startswith(str(REPO / "sandbox") + "/") and f.endswith(".py") for f in files)
    assert any(f.startswith(str(REPO / "lessons") + "/") for f in files)
    assert not [f for f in files if "__pycache__" in f or f.endswith(".pyc")]


def test_pruning_keeps_the_newest_and_what_is_not_a_cache_entry(tmp_path: Path) -> None:
    keep, old = tmp_path / "image-0123456789abcdef", tmp_path / "image-fedcba9876543210"
    other = tmp_path / "image-work"
    for d in (keep, old, other):
        d.mkdir()
    lib(f"prune_others {tmp_path} image {keep} 2>/dev/null", tmp_path)
    assert keep.is_dir() and other.is_dir()
    assert not old.exists()


@pytest.mark.skipif(
    subprocess.run(["stat", "-fc", "%T", "/sys/fs/cgroup"], capture_output=True, text=True).stdout.strip()
    == "cgroup2fs",
    reason="this host is pure cgroup v2: the guard would let the run go on",
)
def test_the_guest_runner_refuses_anything_but_pure_cgroup_v2() -> None:
    done = run([str(REPO / "vm" / "guest" / "run-tests.sh"), "--mark", "root", "tests/vm"])
    assert done.returncode == 3
    assert "refusing to run" in done.stderr


@pytest.mark.parametrize("script", [p for p in SCRIPTS if p.name not in ("lib.sh", "qemu.sh")],
                         ids=lambda p: str(p.relative_to(REPO)))
def test_it_is_executable(script: Path) -> None:
    # make and provision.sh's callers run them directly; lib.sh and qemu.sh are sourced.
    assert os.access(script, os.X_OK), f"chmod +x {script.relative_to(REPO)}"
