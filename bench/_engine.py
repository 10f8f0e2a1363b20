"""Our engine daemon for a benchmark: its own state root and run dir, the real docker CLI
pointed at it, stopped by SIGTERM at the end."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Engine:
    proc: subprocess.Popen[bytes]
    env: dict[str, str]

    @classmethod
    def start(cls, root: Path, run: Path, cgroup_parent: str | None = None) -> Engine:
        from sandbox.engine.daemon import ping

        sock = run / "engine.sock"
        env = {**os.environ, "SANDBOX_ROOT": str(root), "SANDBOX_RUN": str(run)}
        if cgroup_parent is not None:
            env["SANDBOX_CGROUP_PARENT"] = cgroup_parent  # the bench removes it at the end
        with open(root.parent / f"{root.name}.log", "wb") as log:
            proc = subprocess.Popen([sys.executable, "-m", "sandbox.engine.daemon", "engine", "--socket", str(sock),
                                     "--group", "root"], env=env, stdout=log, stderr=log)
        deadline = time.monotonic() + 30
        while not ping(sock, timeout=0.5):
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError(f"the engine did not start: see {root.parent / (root.name + '.log')}")
            time.sleep(0.05)
        client = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
        client.update(DOCKER_HOST=f"unix://{sock}", DOCKER_CONFIG=str(run / "docker-config"), DOCKER_BUILDKIT="0")
        return cls(proc, client)

    def docker(self, *args: str) -> str:
        proc = subprocess.run(["docker", *args], env=self.env, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise RuntimeError(f"docker {' '.join(args)} exited {proc.returncode}: {proc.stderr}")
        return proc.stdout

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
