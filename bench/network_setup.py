"""What bridge networking adds to `run --rm busybox true`, against `--network none`, in one run.

    sudo .venv/bin/python bench/network_setup.py [-n 40]

Our engine is started here on its own socket, state, default bridge and subnet. Each round
runs the two variants back to back, alternating which goes first, so background load hits
both alike; the difference of the medians is what network setup costs (a veth pair, an
address, routes, a hosts file, and the teardown after exit). Measured two ways:

  * through the API from a warm client (create + attach + start + wait, as `docker run --rm`
    sends them) — the engine's own cost, without a CLI process start;
  * through the real docker CLI, when it is installed — what a learner waits for.

Target: network setup adds <= 10 ms to the median. Everything made here is removed at the end.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from engine_run import DOCKER, _api_run, _docker_env, _remove_cgroups, _stop, _umount_under, _wait_until

TARGET_MS = 10.0


def _free_subnet() -> str:
    """A /24 that no host route overlaps, so this engine's bridge fits beside any other."""
    from sandbox.network.netlink import KernelLinks

    taken = [ipaddress.IPv4Network(r.dst, strict=False) for r in KernelLinks().host_routes()]
    while True:
        net = ipaddress.IPv4Network(f"10.{random.randint(160, 199)}.{random.randint(0, 255)}.0/24")
        if not any(net.overlaps(t) for t in taken):
            return str(net)


def _timed(fn: Callable[[], None]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def _cli(env: dict[str, str], network: str) -> Callable[[], None]:
    assert DOCKER is not None

    def run() -> None:
        subprocess.run([DOCKER, "run", "--rm", "--network", network, "busybox", "true"], env=env, check=True,
                       stdout=subprocess.DEVNULL)

    return run


def measure(pairs: dict[str, tuple[Callable[[], None], Callable[[], None]]], n: int) -> dict[str, tuple[list[float], list[float]]]:
    out: dict[str, tuple[list[float], list[float]]] = {k: ([], []) for k in pairs}
    for bridge, none in pairs.values():  # warm: first use creates the bridge, caches the image
        bridge()
        none()
    for i in range(n):
        for name, (bridge, none) in pairs.items():
            b, z = out[name]
            if i % 2:
                z.append(_timed(none))
                b.append(_timed(bridge))
            else:
                b.append(_timed(bridge))
                z.append(_timed(none))
    return out


def report(results: dict[str, tuple[list[float], list[float]]], n: int) -> None:
    print(f"run --rm busybox true: bridge vs --network none, n={n} each, medians in ms")
    print(f"{'through':<26} {'bridge':>8} {'none':>8} {'added':>8}  target")
    for name, (bridge, none) in results.items():
        mb, mn = statistics.median(bridge), statistics.median(none)
        added = mb - mn
        verdict = "ok" if added <= TARGET_MS else "OVER"
        print(f"{name:<26} {mb:>8.1f} {mn:>8.1f} {added:>8.1f}  <= {TARGET_MS:.0f} ms {verdict}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-n", type=int, default=40, help="runs of each variant (default 40)")
    args = ap.parse_args()
    if os.geteuid() != 0:
        print("bench/network_setup.py needs root", file=sys.stderr)
        return 2
    from sandbox.images.bootstrap import bootstrap_busybox
    from sandbox.network.netlink import KernelLinks
    from sandbox.storage import Store

    work = Path(tempfile.mkdtemp(prefix="bn-", dir="/tmp"))
    tag = f"bn{os.getpid() % 100000}"
    parent = f"sandbox/benchnet{os.getpid()}"
    root, run = work / "root", work / "r"
    proc = None
    log = open(work / "engine.log", "wb")  # noqa: SIM115 - the daemon writes to it for its whole life
    try:
        bootstrap_busybox(Store(root, "overlay"))
        env = {**os.environ, "SANDBOX_ROOT": str(root), "SANDBOX_RUN": str(run), "SANDBOX_CGROUP_PARENT": parent,
               "SANDBOX_BRIDGE": tag + "d0", "SANDBOX_BRIDGE_SUBNET": _free_subnet(),
               "SANDBOX_BRIDGE_PREFIX": tag + "b", "SANDBOX_VETH_PREFIX": tag + "v"}
        sock = run / "e.sock"
        proc = subprocess.Popen([sys.executable, "-m", "sandbox.engine.daemon", "engine", "--socket", str(sock),
                                 "--group", "root", "--log-level", "warning"], env=env, stdout=log, stderr=log,
                                stdin=subprocess.DEVNULL)
        _wait_until(lambda: sock.exists() or proc.poll() is not None, 30, "the engine's socket")
        if proc.poll() is not None:
            raise RuntimeError(f"the engine exited: {(work / 'engine.log').read_text()}")
        pairs = {"API (warm client)": (_api_run(str(sock), "1.47", "bridge"), _api_run(str(sock), "1.47", "none"))}
        if DOCKER is not None:
            cli_env = _docker_env(f"unix://{sock}", work / "cfg")
            pairs["docker CLI"] = (_cli(cli_env, "bridge"), _cli(cli_env, "none"))
        report(measure(pairs, args.n), args.n)
    finally:
        if proc is not None:
            _stop(proc)
        log.close()
        _umount_under(work)
        _remove_cgroups(parent, set())
        links = KernelLinks()
        for name in sorted(os.listdir("/sys/class/net")):
            if name.startswith(tag):
                links.delete_link(name)
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
