"""`sandbox lessons solve` for the whole course against a fresh real engine (root only).

Every step's check must fail before its reference solution and pass after, and reset must
leave nothing behind. Every lesson of the course must pass, with the real docker CLI and
with our in-process grammar, and objects the lessons did not make must survive them. The
two Killercoda test scenarios are imported and solved on the same engine.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import wait_until
from tests.lessons.helpers import COURSE, SCENARIOS

pytestmark = pytest.mark.root

DOCKER_CLI = shutil.which("docker")
SANDBOX = str(Path(sys.executable).with_name("sandbox"))


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory):
    base = tmp_path_factory.mktemp("le")
    env = dict(os.environ, SANDBOX_ROOT=str(base / "root"), SANDBOX_RUN=str(base / "run"))
    sandbox = str(Path(sys.executable).with_name("sandbox"))
    subprocess.run([sandbox, "image", "bootstrap"], env=env, check=True, capture_output=True)
    proc = subprocess.Popen([sandbox, "engine"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    sock = base / "run" / "engine.sock"
    try:
        assert wait_until(sock.exists, timeout=30), "the engine did not come up"
        env["DOCKER_HOST"] = f"unix://{sock}"
        yield env
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)


def _solve(env: dict[str, str], lessons: Path, progress: Path, *cli: str) -> tuple[set[str], set[str], str]:
    r = subprocess.run([SANDBOX, "lessons", "solve", "--all", *cli, "--progress", str(progress),
                        "--lessons-dir", str(lessons)],
                       check=False, env=env, capture_output=True, text=True, timeout=900)
    passed = {line.split()[1] for line in r.stdout.splitlines() if line.startswith("PASS ")}
    failed = {line.split()[1] for line in r.stdout.splitlines() if line.startswith("FAIL ")}
    assert r.returncode == 0 or failed, r.stdout[-3000:] + r.stderr[-3000:]
    return passed, failed, r.stdout[-3000:] + r.stderr[-3000:]


def _docker(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    assert DOCKER_CLI is not None
    return subprocess.run([DOCKER_CLI, *args], check=False, env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture
def bystanders(engine: dict[str, str], unique: str):
    """Objects the course did not make: a running and a stopped container, a volume, a
    network and a tag. No lesson may remove them (prune commands, resets)."""
    names = {"running": f"{unique}-up", "stopped": f"{unique}-down", "volume": f"{unique}-vol",
             "network": f"{unique}-net", "tag": f"{unique}-tag:1"}
    made = [
        _docker(engine, "run", "-d", "--name", names["running"], "busybox", "sleep", "3600"),
        _docker(engine, "create", "--name", names["stopped"], "busybox", "true"),
        _docker(engine, "volume", "create", names["volume"]),
        _docker(engine, "network", "create", names["network"]),
        _docker(engine, "tag", "busybox", names["tag"]),
    ]
    try:
        assert all(m.returncode == 0 for m in made), [m.stderr for m in made]
        yield names
    finally:
        _docker(engine, "rm", "-f", names["running"], names["stopped"])
        _docker(engine, "volume", "rm", names["volume"])
        _docker(engine, "network", "rm", names["network"])
        _docker(engine, "rmi", names["tag"])


def _still_there(env: dict[str, str], names: dict[str, str]) -> dict[str, bool]:
    return {
        "running": _docker(env, "inspect", "-f", "{{.State.Running}}", names["running"]).stdout.strip() == "true",
        "stopped": _docker(env, "container", "inspect", names["stopped"]).returncode == 0,
        "volume": _docker(env, "volume", "inspect", names["volume"]).returncode == 0,
        "network": _docker(env, "network", "inspect", names["network"]).returncode == 0,
        "tag": _docker(env, "image", "inspect", names["tag"]).returncode == 0,
    }


@pytest.mark.skipif(DOCKER_CLI is None, reason="the real docker CLI is not installed")
@pytest.mark.skipif(shutil.which("docker-registry") is None, reason="docker-registry is not installed")
@pytest.mark.parametrize("cli", ["real docker CLI", "in-process grammar"])
def test_every_lesson_solves_on_a_fresh_engine(engine, bystanders, tmp_path: Path, cli: str) -> None:
    extra = ["--docker-cli", str(DOCKER_CLI)] if cli == "real docker CLI" else []
    passed, failed, output = _solve(engine, COURSE, tmp_path / "p.json", *extra)
    lessons = {p.name for p in COURSE.iterdir() if (p / "lesson.yaml").exists()}
    assert passed | failed == lessons, output
    assert not failed, output
    assert _still_there(engine, bystanders) == dict.fromkeys(bystanders, True), output


@pytest.mark.skipif(DOCKER_CLI is None, reason="the real docker CLI is not installed")
def test_the_killercoda_scenarios_import_and_solve_on_the_engine(engine, tmp_path: Path) -> None:
    out = tmp_path / "imported"
    for scenario in sorted(p for p in SCENARIOS.iterdir() if (p / "index.json").exists()):
        r = subprocess.run([SANDBOX, "lessons", "import-killercoda", str(scenario), "--out", str(out)],
                           check=False, env=engine, capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stdout + r.stderr
    passed, failed, output = _solve(engine, out, tmp_path / "p.json", "--docker-cli", str(DOCKER_CLI))
    assert passed == {"first-container", "volume-data"} and not failed, output


def _lessons(env: dict[str, str], progress: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([SANDBOX, "lessons", *args, "--progress", str(progress), "--lessons-dir", str(COURSE),
                           "--docker-cli", str(DOCKER_CLI)],
                          check=False, env=env, capture_output=True, text=True, timeout=300)


def _exists(env: dict[str, str], kind: str, name: str) -> bool:
    return _docker(env, kind, "inspect", name).returncode == 0


@pytest.mark.skipif(DOCKER_CLI is None, reason="the real docker CLI is not installed")
def test_reset_of_a_step_and_of_a_lesson_removes_only_what_they_made(engine, bystanders, tmp_path: Path,
                                                                     unique: str) -> None:
    progress = tmp_path / "p.json"
    for args in (("start", "volumes"), ("solve", "volumes", "--step")):
        r = _lessons(engine, progress, *args)
        assert r.returncode == 0, r.stdout + r.stderr
    assert _exists(engine, "volume", "notes") and _exists(engine, "container", "writer")
    # What the learner makes during the second step, with any client: the step's reset takes it.
    stray, extra = f"{unique}-stray", f"{unique}-extra"
    assert _docker(engine, "run", "--name", stray, "-v", f"{extra}:/x", "busybox", "true").returncode == 0
    r = _lessons(engine, progress, "reset", "volumes", "--step")
    assert r.returncode == 0, r.stdout + r.stderr
    assert not _exists(engine, "container", stray) and not _exists(engine, "volume", extra), r.stdout
    assert _exists(engine, "volume", "notes") and _exists(engine, "container", "writer"), r.stdout
    r = _lessons(engine, progress, "reset", "volumes")
    assert r.returncode == 0, r.stdout + r.stderr
    assert not _exists(engine, "volume", "notes") and not _exists(engine, "container", "writer"), r.stdout
    assert _still_there(engine, bystanders) == dict.fromkeys(bystanders, True), r.stdout
