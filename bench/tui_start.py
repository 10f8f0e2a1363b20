"""TUI start to first paint, and engine event to picture refresh, against the fake backend.

    .venv/bin/python bench/tui_start.py [-n 7]

start to first paint: ``python -m sandbox.tui`` in a pseudo-terminal of 80x24, timed
from spawn until the lesson list's first row is written (target ≤ 1.0 s), beside the same
measure of a bare Textual app (a list and a footer): the floor on this machine.
event to picture: in one app, an OOM event for the shown container until the cgroup
meter shows it (target ≤ 100 ms; the acceptance bound is 1 s).
"""

from __future__ import annotations

import argparse
import asyncio
import fcntl
import os
import pty
import select
import statistics
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "tui" / "fixtures"
MARKER = b"Your first container"
BARE = ("from textual.app import App\n"
        "from textual.widgets import Footer, OptionList, Static\n"
        "class Bare(App):\n"
        "    def compose(self):\n"
        "        yield Static('sandbox')\n"
        "        yield OptionList('Your first container', 'Images and layers')\n"
        "        yield Footer()\n"
        "Bare().run()\n")
TUI = ["-m", "sandbox.tui"]


def first_paint(args: list[str] = TUI, timeout: float = 20.0, env: dict[str, str] | None = None) -> float:
    """Seconds from spawn to the marker on the terminal. ``env`` defaults to the fake
    backend over the recorded fixtures."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    if env is None:
        env = dict(os.environ, SANDBOX_TUI_FAKE=str(FIXTURES), TERM="xterm-256color",
                   HOME=str(ROOT / ".bench-home"))
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, *args], stdin=slave, stdout=slave, stderr=slave,
                            env=env, cwd=ROOT, start_new_session=True)
    os.close(slave)
    seen = b""
    elapsed = float("nan")
    try:
        while time.perf_counter() - started < timeout:
            ready, _, _ = select.select([master], [], [], 0.05)
            if not ready:
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            seen += chunk
            if MARKER in seen:
                elapsed = time.perf_counter() - started
                break
        os.write(master, b"\x11")  # Ctrl+Q
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    finally:
        os.close(master)
    return elapsed


async def _event_latencies(n: int) -> list[float]:
    from textual.app import App  # noqa: F401  (imported here: the start-up measure must not pay for it)

    from sandbox.tui.app import make_app
    from sandbox.tui.backend.fake import FakeBackend
    from sandbox.tui.pictures.cgroups import CgroupsPicture

    fake = FakeBackend(FIXTURES)
    hog = fake._load("names.json")["containers_ids"]["hog"]
    app = make_app(fake, lesson="cgroups-memory", meter_interval=None)
    out: list[float] = []
    async with app.run_test(size=(100, 30)) as pilot:
        while not app.screen.query(CgroupsPicture) or app.screen.query_one(CgroupsPicture).view is None:
            await pilot.pause(0.01)
        picture = app.screen.query_one(CgroupsPicture)
        for i in range(1, n + 1):
            sample = fake.cgroup("hog")
            sample["stats"]["oom_kills"] = i
            fake.overrides["cgroup/hog.json"] = sample
            started = time.perf_counter()
            fake.push_event({"Type": "container", "Action": "oom", "Actor": {"ID": hog, "Attributes": {"name": "hog"}}})
            while picture.view is None or picture.view.sample.oom_kills != i:
                await pilot.pause(0.001)
            out.append(time.perf_counter() - started)
    fake.close()
    return out


def _row(name: str, values: list[float], target: float) -> str:
    ms = [v * 1000 for v in values]
    median = statistics.median(ms)
    verdict = "ok" if median <= target * 1000 else "SLOWER THAN TARGET"
    return (f"{name:<24} median {median:7.1f} ms   min {min(ms):7.1f}   max {max(ms):7.1f}   "
            f"target ≤ {target * 1000:.0f} ms: {verdict}")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=7)
    args = ap.parse_args()
    paints, bare = [], []
    for _ in range(args.n):  # interleaved, so both see the same machine load
        paints.append(first_paint())
        bare.append(first_paint(["-c", BARE]))
    print(_row("start to first paint", paints, 1.0))
    print(_row("  bare Textual app", bare, 1.0))
    latencies = asyncio.run(_event_latencies(max(args.n, 10)))
    print(_row("event to picture", latencies, 0.1))
    print(f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
