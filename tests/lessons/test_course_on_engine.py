"""`sandbox lessons solve` for the whole course against a fresh real engine (root only).

Every step's check must fail before its reference solution and pass after, and reset must
leave nothing behind. Every lesson of the course must pass.
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
from tests.lessons.helpers import COURSE

pytestmark = pytest.mark.root

DOCKER_CLI = shutil.which("docker")


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


@pytest.mark.skipif(DOCKER_CLI is None, reason="the real docker CLI is not installed")
@pytest.mark.skipif(shutil.which("docker-registry") is None, reason="docker-registry is not installed")
def test_every_lesson_solves_on_a_fresh_engine(engine, tmp_path: Path) -> None:
    r = subprocess.run([str(Path(sys.executable).with_name("sandbox")), "lessons", "solve", "--all",
                        "--docker-cli", str(DOCKER_CLI), "--progress", str(tmp_path / "p.json"),
                        "--lessons-dir", str(COURSE)],
                       env=engine, capture_output=True, text=True, timeout=900)
    passed = {line.split()[1] for line in r.stdout.splitlines() if line.startswith("PASS ")}
    failed = {line.split()[1] for line in r.stdout.splitlines() if line.startswith("FAIL ")}
    lessons = {p.name for p in COURSE.iterdir() if (p / "lesson.yaml").exists()}
    assert passed | failed == lessons, r.stdout[-3000:] + r.stderr[-3000:]
    assert not failed, r.stdout[-3000:]
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
