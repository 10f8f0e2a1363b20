"""vagrant/Vagrantfile: ``vagrant validate`` for one VM and for the multi-machine setup.

Vagrant gets a home and a machine folder of its own in tmp_path, so nothing is written in
the checkout or the user's ~/.vagrant.d; no VM is created.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.vm.helpers import REPO, run

VAGRANT_DIR = REPO / "vagrant"

needs_vagrant = pytest.mark.skipif(not shutil.which("vagrant"), reason="vagrant is not installed (make vm-deps)")


def vagrant(args: list[str], tmp_path: Path, **env: str) -> tuple[int, str]:
    full = {**os.environ, "VAGRANT_HOME": str(tmp_path / "home"),
            "VAGRANT_DOTFILE_PATH": str(tmp_path / "dot"), "VAGRANT_CHECKPOINT_DISABLE": "1", **env}
    for key in ("MULTI", "WORKERS", "SANDBOX_BOX"):
        if key not in env:
            full.pop(key, None)
    done = run(["vagrant", *args], env=full, cwd=VAGRANT_DIR)
    return done.returncode, done.stdout + done.stderr


@pytest.mark.skipif(not shutil.which("ruby"), reason="ruby is not installed")
def test_it_is_valid_ruby() -> None:
    done = run(["ruby", "-c", str(VAGRANT_DIR / "Vagrantfile")])
    assert done.returncode == 0, done.stderr


def test_it_provisions_with_the_script_beside_it() -> None:
    text = (VAGRANT_DIR / "Vagrantfile").read_text()
    assert 'path: "provision.sh"' in text
    assert (VAGRANT_DIR / "provision.sh").is_file()


@needs_vagrant
@pytest.mark.parametrize("env", [{}, {"MULTI": "1"}, {"SANDBOX_BOX": "sandbox/classroom"}],
                         ids=["one-vm", "multi", "offline-box"])
def test_vagrant_validate_passes(env: dict[str, str], tmp_path: Path) -> None:
    before = (VAGRANT_DIR / ".vagrant").exists()
    code, out = vagrant(["validate"], tmp_path, **env)
    assert code == 0, out
    assert "validated successfully" in out
    assert (VAGRANT_DIR / ".vagrant").exists() == before, "vagrant wrote into the checkout"


@needs_vagrant
def test_multi_is_one_control_vm_and_the_workers(tmp_path: Path) -> None:
    code, out = vagrant(["status", "--machine-readable"], tmp_path, MULTI="1", WORKERS="3")
    assert code == 0, out
    machines = sorted({line.split(",")[1] for line in out.splitlines() if ",state," in line})
    assert machines == ["control", "worker1", "worker2", "worker3"]


@needs_vagrant
def test_a_worker_count_that_is_not_a_number_is_refused(tmp_path: Path) -> None:
    code, out = vagrant(["validate"], tmp_path, MULTI="1", WORKERS="many")
    assert code != 0
    assert "many" in out
