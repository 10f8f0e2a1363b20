"""Start-to-exit of /bin/true in the busybox bundle: ours vs runc, in one run.

    .venv/bin/python bench/runtime_start.py [-n 30]

Prints medians and ratios for:
  runc run (whole process) · sandbox runtime run (whole process) · Runtime.run from a warm
  Python process (how the engine calls it).
"""

from __future__ import annotations

import argparse
import compileall
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _bundle import runc_bundle  # noqa: E402


def _time(fn, n: int) -> list[float]:
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=30)
    args = ap.parse_args()
    if os.geteuid() != 0:
        print("bench/runtime_start.py needs root", file=sys.stderr)
        return 2
    if not shutil.which("runc"):
        print("runc is not installed (apt-get install runc)", file=sys.stderr)
        return 2
    sandbox_bin = str(Path(sys.executable).with_name("sandbox"))
    work = Path(tempfile.mkdtemp(prefix="bench-rt-"))
    try:
        bundle = runc_bundle(work / "bundle", ["/bin/true"])
        runc_root, our_root, lib_root = work / "runc", work / "ours", work / "lib"
        counter = iter(range(10**9))

        def runc() -> None:
            subprocess.run(["runc", "--root", str(runc_root), "run", "--bundle", str(bundle),
                            f"b{next(counter)}"], check=True)

        def ours() -> None:
            subprocess.run([sandbox_bin, "runtime", "--root", str(our_root), "run", "--bundle", str(bundle),
                            f"b{next(counter)}"], check=True)

        import sandbox
        from sandbox.runtime.runtime import Runtime
        from sandbox.runtime.spec import load_bundle

        rt = Runtime(lib_root)
        spec = load_bundle(bundle)

        def library() -> None:
            status = rt.run(f"b{next(counter)}", spec, bundle)
            assert status.code == 0, status

        # Fresh bytecode, as `make install` leaves it: with PYTHONDONTWRITEBYTECODE set (dev
        # shells, CI) a module edited since would be compiled again on every start.
        compileall.compile_dir(str(Path(sandbox.__file__).parent), quiet=1)
        for fn in (runc, ours, library):  # warm caches
            fn()
        rows = []
        results = {}
        # Interleave the three so background load hits them alike.
        samples: dict[str, list[float]] = {"runc": [], "ours": [], "library": []}
        for _ in range(args.n):
            for name, fn in (("runc", runc), ("ours", ours), ("library", library)):
                samples[name] += _time(fn, 1)
        for name, xs in samples.items():
            results[name] = statistics.median(xs)
        base = results["runc"]
        rows.append(("runc run (whole process)", results["runc"], 1.0, "-"))
        rows.append(("sandbox runtime run (whole process)", results["ours"], results["ours"] / base, "<= 3.0x"))
        rows.append(("Runtime.run from warm Python", results["library"], results["library"] / base, "<= 1.0x"))
        print(f"start-to-exit of /bin/true, busybox bundle, n={args.n}, medians")
        print(f"{'what':<38} {'median ms':>10} {'vs runc':>8}  target")
        for what, ms, ratio, target in rows:
            print(f"{what:<38} {ms:>10.1f} {ratio:>7.2f}x  {target}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
