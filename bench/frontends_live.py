"""The front ends on a real engine: TUI first paint, `docker ps` in the shell, and how soon
a picture follows the engine's event — each beside a reference measured in the same run.

    sudo .venv/bin/python bench/frontends_live.py [-n 7] [--ps-runs 50] [--events 20]

A private engine is started for the run (its own state, run directory, socket, cgroup
parent and bridge; busybox bootstrapped offline) and everything it made is removed after.

  start to first paint   `python -m sandbox` (the real course, the real engine) in an 80x24
                         pseudo-terminal until the lesson list's first row is drawn, beside
                         the same program on the recorded fixtures (SANDBOX_TUI_FAKE).
                         Target ≤ 1.0 s.
  docker ps in the shell the shell's own path (worker, tracked transport, the docker
                         grammar) from a warm process, beside the real docker CLI's
                         `docker ps` (a new process each time) on the same engine.
                         Target ≤ 50 ms median.
  event to picture       the TUI (Pilot, the real client backend) shows a container's
                         cgroup meters; `docker update -m` through the API changes the
                         limit; timed from the `update` event reaching the app until the
                         meter shows the new limit, and from the API call. Target ≤ 100 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT))
from repl_start import docker_ps_in_shell
from tui_start import FIXTURES, first_paint

CONTAINER = "benchmeter"
MIB = 1024 * 1024


@dataclass
class Engine:
    proc: subprocess.Popen[bytes]
    socket: Path
    work: Path
    parent: str
    bridge: str

    @property
    def host(self) -> str:
        return f"unix://{self.socket}"


def _wait(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.02)


@contextmanager
def private_engine() -> Iterator[Engine]:
    from sandbox.client import EngineClient
    from sandbox.errors import SandboxError
    from sandbox.images.bootstrap import bootstrap_busybox
    from sandbox.storage import Store

    work = Path(tempfile.mkdtemp(prefix="bf-", dir="/tmp"))
    root, run = work / "root", work / "r"
    bootstrap_busybox(Store(root, "overlay"))
    tag = f"bf{os.getpid()}"
    parent, bridge = f"sandbox/{tag}", f"sb{tag}"[:15]
    env = {**os.environ, "SANDBOX_ROOT": str(root), "SANDBOX_RUN": str(run), "SANDBOX_CGROUP_PARENT": parent,
           "SANDBOX_BRIDGE": bridge, "SANDBOX_BRIDGE_SUBNET": "10.219.7.0/24", "SANDBOX_NETWORK_POOL": "10.219.8.0/24"}
    sock = run / "e.sock"
    with open(work / "engine.log", "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "sandbox.engine.daemon", "engine", "--socket", str(sock),
                                 "--storage-driver", "overlay", "--group", "root", "--log-level", "warning"],
                                env=env, stdout=log, stderr=log, stdin=subprocess.DEVNULL)
    engine = Engine(proc, sock, work, parent, bridge)
    try:
        def answers() -> bool:
            if proc.poll() is not None:
                raise SystemExit(f"the engine exited: {(work / 'engine.log').read_text()}")
            try:
                with EngineClient(f"unix://{sock}", timeout=1.0) as c:
                    c.ping()
                return True
            except SandboxError:
                return False

        _wait(answers, 30, "the engine's /_ping")
        yield engine
    finally:
        _stop(engine)


def _stop(engine: Engine) -> None:
    from sandbox.client import EngineClient
    from sandbox.errors import SandboxError

    if engine.proc.poll() is None:
        try:
            with EngineClient(engine.host, timeout=10.0) as c:
                for container in c.containers.list(all=True):
                    c.containers.remove(container["Id"], force=True)
        except SandboxError as err:
            print(f"note: could not remove the containers: {err.render()}", file=sys.stderr)
        engine.proc.send_signal(signal.SIGTERM)
        try:
            engine.proc.wait(20)
        except subprocess.TimeoutExpired:
            engine.proc.kill()
            engine.proc.wait()
    subprocess.run(["ip", "link", "del", engine.bridge], capture_output=True, check=False)
    with open("/proc/self/mountinfo") as f:
        points = [line.split()[4] for line in f]
    for point in sorted((p for p in points if p.startswith(str(engine.work) + "/")), key=len, reverse=True):
        subprocess.run(["umount", "-l", point], check=False, capture_output=True)
    for d in Path("/sys/fs/cgroup").glob(f"*/{engine.parent}"):
        for child in sorted((c for c in d.rglob("*") if c.is_dir()), key=lambda p: -len(str(p))) + [d]:
            try:
                child.rmdir()
            except OSError as err:
                print(f"note: cannot remove {child}: {err.strerror}", file=sys.stderr)
    shutil.rmtree(engine.work, ignore_errors=True)


# -- the measures -----------------------------------------------------------------------------


def paints(engine: Engine, n: int) -> tuple[list[float], list[float]]:
    home = engine.work / "home"
    real_env = {**os.environ, "DOCKER_HOST": engine.host, "TERM": "xterm-256color", "HOME": str(home),
                "XDG_DATA_HOME": str(home / "data"), "XDG_STATE_HOME": str(home / "state")}
    fake_env = {**real_env, "SANDBOX_TUI_FAKE": str(FIXTURES)}
    real, fake = [], []
    for _ in range(n):  # interleaved: both see the same load
        real.append(first_paint(["-m", "sandbox"], env=real_env))
        fake.append(first_paint(["-m", "sandbox"], env=fake_env))
    return real, fake


def cli_ps(engine: Engine, runs: int) -> list[float]:
    docker = shutil.which("docker")
    if docker is None:
        return []
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
    env.update(DOCKER_HOST=engine.host, DOCKER_CONFIG=str(engine.work / "docker-config"))
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([docker, "ps"], env=env, capture_output=True, check=True)
        out.append(time.perf_counter() - t0)
    return out


class _Timed:
    """The app's event stream, noting when each event arrived."""

    def __init__(self, stream: Any, arrivals: list[tuple[float, dict[str, Any]]]) -> None:
        self._stream, self._arrivals = stream, arrivals

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for event in self._stream:
            self._arrivals.append((time.perf_counter(), event))
            yield event

    def close(self) -> None:
        self._stream.close()


async def _event_to_picture(engine: Engine, rounds: int) -> tuple[list[float], list[float]]:
    from sandbox.client import EngineClient
    from sandbox.tui.app import make_app
    from sandbox.tui.backend.client import ClientBackend
    from sandbox.tui.history import CommandHistory
    from sandbox.tui.pictures.pane import PicturePane
    from sandbox.tui.screens.lesson import LessonScreen
    from sandbox.tui.widgets.command_input import CommandInput

    arrivals: list[tuple[float, dict[str, Any]]] = []

    class Backend(ClientBackend):
        def events(self) -> _Timed:  # type: ignore[override]
            return _Timed(super().events(), arrivals)

    home = engine.work / "home-pilot"
    env = {"DOCKER_HOST": engine.host, "HOME": str(home), "XDG_DATA_HOME": str(home / "data")}
    backend = Backend(EngineClient(env=env), env=env)
    control = EngineClient(engine.host)
    app = make_app(backend, lesson="cgroups", history=CommandHistory.load(home / "history"), meter_interval=None)
    from_event: list[float] = []
    from_call: list[float] = []

    async def until(pilot: Any, check: Callable[[], bool], timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while not check():
            if time.monotonic() > deadline:
                raise SystemExit("the picture did not follow within 20 s")
            await pilot.pause(0.001)

    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await until(pilot, lambda: isinstance(app.screen, LessonScreen) and app.screen.state is not None)
            pane = app.screen.query_one(PicturePane)
            picture = pane.picture("cgroups")
            await until(pilot, lambda: app._stream is not None)
            app.screen.query_one(CommandInput).value = f"docker run -d --name {CONTAINER} -m 32m busybox sleep 3600"
            await pilot.press("enter")
            await until(pilot, lambda: picture.view is not None and picture.view.container == CONTAINER
                        and picture.view.sample.memory_limit == 32 * MIB)
            for i in range(rounds):
                limit = (40 + i) * MIB
                seen = len(arrivals)
                called = time.perf_counter()
                await asyncio.to_thread(control.containers.update, CONTAINER, {"Memory": limit, "MemorySwap": -1})
                await until(pilot, lambda want=limit: picture.view is not None
                            and picture.view.sample.memory_limit == want)
                shown = time.perf_counter()
                updates = [at for at, ev in arrivals[seen:] if ev.get("Action") == "update"]
                if updates:
                    from_event.append(shown - updates[0])
                from_call.append(shown - called)
    finally:
        app.stop_watching()
        backend.close()
        control.close()
    return from_event, from_call


# -- the table --------------------------------------------------------------------------------


def _overdue(signum: int, frame: object) -> None:
    raise SystemExit("bench/frontends_live.py: past its deadline; cleaning up")


def _say(what: str) -> None:
    print(f"… {what}", file=sys.stderr, flush=True)


def _ms(values: list[float]) -> str:
    if not values:
        return f"{'-':>9} {'-':>9} {'-':>9}"
    ms = [v * 1000 for v in values]
    return f"{statistics.median(ms):>7.1f}ms {min(ms):>7.1f}ms {max(ms):>7.1f}ms"


def _verdict(values: list[float], target_ms: float) -> str:
    if not values:
        return "not measured"
    return "ok" if statistics.median(values) * 1000 <= target_ms else "MISSED"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-n", type=int, default=7, help="TUI starts of each kind")
    ap.add_argument("--ps-runs", type=int, default=50)
    ap.add_argument("--events", type=int, default=20, help="update events to follow")
    ap.add_argument("--deadline", type=int, default=900, help="seconds before giving up (cleaning up)")
    args = ap.parse_args()
    if os.geteuid() != 0:
        print("bench/frontends_live.py needs root (it starts an engine)", file=sys.stderr)
        return 2
    # A measure stuck on the engine (a container that never starts) must not leave the
    # private engine behind: past the deadline, SIGALRM unwinds through its cleanup.
    signal.signal(signal.SIGALRM, _overdue)
    signal.alarm(args.deadline)
    with private_engine() as engine:
        _say("first paint, real engine and fixtures")
        real, fake = paints(engine, args.n)
        os.environ["DOCKER_HOST"] = engine.host  # docker_ps_in_shell asks the engine DOCKER_HOST names
        _say("docker ps in the shell and with the docker CLI")
        ps, where = docker_ps_in_shell(args.ps_runs)
        cli = cli_ps(engine, max(args.ps_runs // 5, 5))
        _say("event to picture")
        from_event, from_call = asyncio.run(_event_to_picture(engine, args.events))
    signal.alarm(0)
    rows = [
        ("TUI start to first paint", real, 1000.0),
        ("  same, recorded fixtures", fake, 1000.0),
        ("docker ps inside the shell", ps, 50.0),
        ("  real docker CLI, new process", cli, None),
        ("event to picture (from event)", from_event, 100.0),
        ("  from the API call", from_call, None),
    ]
    print(f"{'measure':<32} {'median':>9} {'min':>9} {'max':>9}  target")
    for name, values, target in rows:
        aim = f"<= {target:.0f}ms {_verdict(values, target)}" if target else ""
        print(f"{name:<32} {_ms(values)}  {aim}")
    if real and fake:
        print(f"ratio real/fixtures first paint: {statistics.median(real) / statistics.median(fake):.2f}")
    if ps and cli:
        print(f"ratio docker CLI / shell for docker ps: {statistics.median(cli) / statistics.median(ps):.1f}x")
    print(f"(docker ps against {where}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
    ok = all(_verdict(v, t) != "MISSED" for _, v, t in rows if t)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
