"""The engine's systemd unit, and the make targets of vm.mk."""

from __future__ import annotations

import configparser
import shlex
import sys
from pathlib import Path

import pytest

from tests.vm.helpers import REPO, makefile_words, run

UNIT = REPO / "vagrant" / "sandbox-engine.service"


@pytest.fixture(scope="module")
def unit() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read_string(UNIT.read_text())
    return parser


def test_the_unit_runs_the_engine_and_survives_its_restarts(unit: configparser.ConfigParser) -> None:
    service = unit["Service"]
    assert shlex.split(service["ExecStart"]) == ["/usr/local/bin/sandbox", "engine"]
    # Containers outlive a daemon restart: only the daemon's own process is stopped.
    assert service["KillMode"] == "process"
    assert unit["Install"]["WantedBy"] == "multi-user.target"


def test_the_command_the_unit_runs_exists() -> None:
    done = run([sys.executable, "-m", "sandbox", "engine", "--help"])
    assert done.returncode == 0, done.stderr


@pytest.fixture
def makefile(tmp_path: Path) -> Path:
    """vm.mk as the Makefile includes it, with the Makefile's `install` stubbed."""
    path = tmp_path / "Makefile"
    path.write_text(f"include {REPO}/vm.mk\ninstall:\n\t@true\n")
    return path


def dry_run(makefile: Path, *args: str) -> str:
    done = run(["make", "--no-print-directory", "-n", "-f", str(makefile), *args])
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_vm_test_runs_the_runtime_storage_and_docker_cli_root_tests_by_default(makefile: Path) -> None:
    out = dry_run(makefile, "vm-test")
    assert 'VM_TEST_SELECTION="tests/runtime tests/storage tests/engine/test_acceptance_cli.py"' in out
    assert 'VM_TEST_MARK="root"' in out
    assert "vm/test.sh" in out


def test_the_selection_is_a_variable(makefile: Path) -> None:
    out = dry_run(makefile, "vm-test", "VM_TEST_SELECTION=tests/engine", "VM_TEST_LESSONS=")
    assert 'VM_TEST_SELECTION="tests/engine"' in out
    assert 'VM_TEST_LESSONS=""' in out


def test_vm_deps_installs_what_the_image_and_the_test_need() -> None:
    packages = set(makefile_words((REPO / "vm.mk").read_text(), "VM_APT_PACKAGES"))
    assert {"mmdebstrap", "qemu-system-x86", "qemu-utils", "fdisk", "vagrant"} <= packages


def test_vm_image_builds_the_box(makefile: Path) -> None:
    assert "vm/build-box.sh" in dry_run(makefile, "vm-image")


def test_ci_runs_the_vm_stage_after_the_tests() -> None:
    lines = [line.strip() for line in (REPO / ".ci" / "run").read_text().splitlines()]
    assert "set -euo pipefail" in lines  # a failing stage fails CI
    makes = [line for line in lines if line.startswith("make ")]
    assert makes == ["make test", "make vm-validate", "make vm-image", "make vm-test"]
