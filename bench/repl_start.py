"""`sandbox shell`: start to prompt, and `docker ps` inside it.

    .venv/bin/python bench/repl_start.py [-n 15] [--ps-runs 50]

Start to prompt: the shell is spawned on a pseudo-terminal, as a person's terminal
would run it, and timed until its prompt is drawn; then Ctrl-D ends it. The engine's
answers do not matter here (the toolbar asks in the background), so this runs with or
without an engine. Target: median <= 0.7 s.

`docker ps` in the shell: the shell's own path — worker thread, tracked transport, gated
streams, the real docker grammar — from a warm process, against the engine DOCKER_HOST
names when one answers, otherwise against the client's in-process mock transport (the
output says which). Target: median <= 50 ms.
"""

from __future__ import annotations

import argparse
import io
import os
import pty
import select
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PROMPT = b"sandbox>"


def start_to_prompt(env: dict[str, str], timeout: float = 10.0) -> float:
    master, slave = pty.openpty()
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "sandbox.repl"], stdin=slave, stdout=slave, stderr=slave,
                            cwd=REPO, env=env, start_new_session=True)
    os.close(slave)
    seen = b""
    elapsed = None
    try:
        while time.perf_counter() - started < timeout:
            ready, _, _ = select.select([master], [], [], 0.05)
            if not ready:
                continue
            try:
                seen += os.read(master, 65536)
            except OSError:
                break  # the shell exited before its prompt: reported below
            if PROMPT in seen:
                elapsed = time.perf_counter() - started
                break
        os.write(master, b"\x04")
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    if elapsed is None:
        raise SystemExit(f"no prompt within {timeout}s; the shell printed: {seen[-400:]!r}")
    return elapsed


def _engine_client():
    from sandbox.client import EngineClient
    from sandbox.errors import SandboxError

    try:
        client = EngineClient(timeout=3.0)
        client.ping()
        return client, client.address
    except SandboxError:
        from sandbox.client import MockResponse, MockRouter, MockTransport

        rows = [{"Id": f"{i:064x}", "Names": [f"/c{i}"], "Image": "busybox", "Command": "sleep 600",
                 "Created": int(time.time()) - 60, "State": "running", "Status": "Up About a minute", "Ports": []}
                for i in range(5)]
        router = MockRouter().add("GET", "/containers/json", MockResponse.json(rows))
        return EngineClient(transport=MockTransport(router)), "in-process mock engine (no engine answered)"


def docker_ps_in_shell(runs: int) -> tuple[list[float], str]:
    from prompt_toolkit.history import InMemoryHistory
    from prompt_toolkit.input import DummyInput
    from prompt_toolkit.output import DummyOutput

    from sandbox.client import EngineClient, UnixTransport
    from sandbox.repl.app import Parts, build
    from sandbox.repl.tracking import TrackingTransport

    probe, where = _engine_client()
    if isinstance(probe.transport, UnixTransport):
        client = EngineClient(probe.address, transport=TrackingTransport(UnixTransport(probe.transport.path)))
    else:
        client = EngineClient(transport=TrackingTransport(probe.transport))
    out = io.StringIO()
    built = build(Parts(env=dict(os.environ), stdout=out, stderr=out, stdin=io.StringIO(""),
                        input=DummyInput(), output=DummyOutput(), console_output=DummyOutput(), client=client,
                        background_client=probe,
                        history=InMemoryHistory(), poll=False))
    try:
        for _ in range(3):  # warm: imports, API version negotiation, pooled connections
            built.shell.execute("docker ps")
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            built.shell.execute("docker ps")
            times.append(time.perf_counter() - t0)
    finally:
        built.close()
    if "CONTAINER ID" not in out.getvalue():
        raise SystemExit(f"docker ps printed no table: {out.getvalue()[-400:]!r}")
    return times, where


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=15, help="shell starts to time")
    ap.add_argument("--ps-runs", type=int, default=50, help="docker ps runs to time")
    args = ap.parse_args()
    env = {**os.environ, "TERM": os.environ.get("TERM", "xterm"),
           "XDG_STATE_HOME": os.environ.get("XDG_STATE_HOME", "/tmp/sandbox-bench-state")}
    starts = [start_to_prompt(env) for _ in range(args.n)]
    ps_times, where = docker_ps_in_shell(args.ps_runs)
    start_median = statistics.median(starts)
    ps_median = statistics.median(ps_times) * 1000
    print(f"{'measure':<34} {'median':>9} {'min':>9} {'max':>9}  target")
    print(f"{'sandbox shell: start to prompt':<34} {start_median:>8.3f}s {min(starts):>8.3f}s {max(starts):>8.3f}s"
          f"  <= 0.700s {'ok' if start_median <= 0.7 else 'MISSED'}")
    print(f"{'docker ps inside the shell':<34} {ps_median:>7.1f}ms {min(ps_times) * 1000:>7.1f}ms "
          f"{max(ps_times) * 1000:>7.1f}ms  <= 50ms {'ok' if ps_median <= 50 else 'MISSED'}")
    print(f"(docker ps against: {where})")
    return 0 if start_median <= 0.7 and ps_median <= 50 else 1


if __name__ == "__main__":
    sys.exit(main())
