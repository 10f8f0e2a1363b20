"""vagrant/provision.sh: the one provisioning script of the classroom VM and of the image.

Only its argument checks run here (they come before anything touches the system); the
whole script runs in ``make vm-image``, in the image's chroot.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.vm.helpers import PROVISION, REPO, makefile_words, run


def test_it_parses() -> None:
    done = run(["bash", "-n", str(PROVISION)])
    assert done.returncode == 0, done.stderr


def test_it_installs_every_package_the_makefile_needs() -> None:
    done = run([str(PROVISION), "--print-packages"])
    assert done.returncode == 0, done.stderr
    ours = set(done.stdout.split())
    makefile = set(makefile_words((REPO / "Makefile").read_text(), "APT_PACKAGES"))
    assert makefile, "the Makefile's APT_PACKAGES is empty"
    assert not makefile - ours, f"provision.sh misses the Makefile's packages {sorted(makefile - ours)}"


def test_the_help_names_every_option() -> None:
    text = PROVISION.read_text()
    options = set(re.findall(r"^\s+(--[a-z-]+)\)", text, re.MULTILINE))
    assert {"--repo", "--wheel", "--offline", "--role"} <= options
    done = run([str(PROVISION), "--help"])
    assert done.returncode == 0, done.stderr
    missing = [o for o in sorted(options) if o not in done.stdout]
    assert not missing, f"--help does not mention {missing}"


@pytest.fixture
def wheel(tmp_path: Path) -> Path:
    path = tmp_path / "sandbox-0.1.0-py3-none-any.whl"
    path.write_bytes(b"not really a wheel: the arguments are refused before it is read")
    return path


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--bogus"], "unknown option --bogus"),
        (["--role", "boss"], "--role must be single, control or worker"),
        (["--repo", "{tmp}"], "no Makefile in"),
        (["--wheel", "{tmp}/missing.whl"], "no wheel at"),
        (["--repo", str(REPO), "--wheel", "{wheel}"], "not both"),
        (["--wheel", "{wheel}", "--wheelhouse", "{tmp}/none"], "no wheelhouse directory"),
        (["--lessons", "{tmp}"], "--lessons goes with --wheel"),
        (["--wheel", "{wheel}", "--lessons", "{tmp}/none"], "no lessons directory"),
        (["--repo"], "--repo needs a directory"),
    ],
)
def test_bad_arguments_are_refused_before_anything_is_done(args: list[str], message: str, tmp_path: Path,
                                                           wheel: Path) -> None:
    argv = [a.format(tmp=tmp_path, wheel=wheel) for a in args]
    done = run([str(PROVISION), *argv])
    assert done.returncode != 0
    assert message in done.stderr, done.stderr
    assert "installing" not in done.stdout


@pytest.mark.skipif(os.geteuid() == 0, reason="as root, valid arguments would provision this machine")
def test_it_needs_root() -> None:
    done = run([str(PROVISION), "--role", "single"])
    assert done.returncode != 0
    assert "run me as root" in done.stderr
