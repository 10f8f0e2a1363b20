"""The bundle `runc spec` makes prints the same under runc and under ours (root only)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bench._bundle import runc_bundle
from sandbox.linux import proc

pytestmark = pytest.mark.root

SCRIPT = (
    "hostname; id; echo $PATH; pwd; ulimit -n; echo pid $$; "
    "grep -E '^(Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs|Seccomp):' /proc/self/status; "
    "ls -a /dev /dev/pts /dev/shm /dev/mqueue; ls /; ls /sys/class/net; "
    "mount | cut -d' ' -f1,3,5,6 | sort"
)


def _sandbox() -> str:
    return str(Path(sys.executable).with_name("sandbox"))


@pytest.mark.skipif(not shutil.which("runc"), reason="runc is not installed (apt-get install runc)")
def test_same_output_as_runc(tmp_path, unique) -> None:
    bundle = runc_bundle(tmp_path / "bundle", ["sh", "-c", SCRIPT])
    theirs = subprocess.run(["runc", "--root", str(tmp_path / "runc"), "run", "--bundle", str(bundle),
                             unique], capture_output=True, text=True, timeout=60)
    ours = subprocess.run([_sandbox(), "runtime", "--root", str(tmp_path / "ours"), "run", "--bundle",
                           str(bundle), unique], capture_output=True, text=True, timeout=60)
    assert theirs.returncode == 0, theirs.stderr
    assert ours.returncode == 0, ours.stderr
    assert ours.stdout == theirs.stdout
    assert not proc.mounts_under(str(tmp_path))
    assert not list(Path("/sys/fs/cgroup").glob(f"*/sandbox/{unique}"))


def test_exit_code_propagates(tmp_path, unique) -> None:
    bundle = runc_bundle(tmp_path / "bundle", ["sh", "-c", "exit 7"])
    ours = subprocess.run([_sandbox(), "runtime", "--root", str(tmp_path / "ours"), "run", "--bundle",
                           str(bundle), unique], capture_output=True, text=True, timeout=60)
    assert ours.returncode == 7, ours.stderr


def test_lifecycle_through_the_cli(tmp_path, unique) -> None:
    import json

    bundle = runc_bundle(tmp_path / "bundle", ["sleep", "30"])
    base = [_sandbox(), "runtime", "--root", str(tmp_path / "ours")]

    def sb(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(base + list(args), capture_output=True, text=True, timeout=60)

    # The container inherits create's stdio (as with runc): give it none to hold open.
    with open(tmp_path / "create.err", "w+") as err:
        created = subprocess.run(base + ["create", "--bundle", str(bundle), unique], stdin=subprocess.DEVNULL,
                                 stdout=subprocess.DEVNULL, stderr=err, timeout=60)
    assert created.returncode == 0, (tmp_path / "create.err").read_text()
    assert json.loads(sb("state", unique).stdout)["status"] == "created"
    assert sb("start", unique).returncode == 0
    state = json.loads(sb("state", unique).stdout)
    assert state["status"] == "running" and state["pid"] > 0
    assert sb("pause", unique).returncode == 0
    assert json.loads(sb("state", unique).stdout)["status"] == "paused"
    bad = sb("start", unique)
    assert bad.returncode == 1 and "paused" in bad.stderr and "created" in bad.stderr
    assert sb("resume", unique).returncode == 0
    assert sb("kill", unique, "KILL").returncode == 0
    deadline = __import__("time").monotonic() + 10
    while json.loads(sb("state", unique).stdout)["status"] != "stopped":
        assert __import__("time").monotonic() < deadline
    assert sb("delete", unique).returncode == 0
    assert sb("state", unique).returncode == 1
    assert not list(Path("/sys/fs/cgroup").glob(f"*/sandbox/{unique}"))


def test_sigterm_to_run_reaches_the_container_and_cleans_up(tmp_path, unique) -> None:
    import signal

    bundle = runc_bundle(tmp_path / "bundle", ["sh", "-c", "trap 'echo got-term; exit 5' TERM; echo ready; "
                                                           "while :; do sleep 0.1; done"])
    p = subprocess.Popen([_sandbox(), "runtime", "--root", str(tmp_path / "ours"), "run", "--bundle", str(bundle),
                          unique], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert p.stdout is not None
    assert p.stdout.readline() == "ready\n"  # the trap is in place
    p.send_signal(signal.SIGTERM)
    out, err = p.communicate(timeout=30)
    assert p.returncode == 5, err
    assert "got-term" in out
    assert not list(Path("/sys/fs/cgroup").glob(f"*/sandbox/{unique}"))
    assert not (tmp_path / "ours" / unique).exists()
