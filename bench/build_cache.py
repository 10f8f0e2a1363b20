"""A cached rebuild of a 10-step Dockerfile (target: at most 300 ms), in one run.

    .venv/bin/python bench/build_cache.py [-n 20] [--engine]

Builds once (RUN steps run real containers, so it needs root), then rebuilds ``-n`` times
with every step served from the cache: from the context as a tar stream (what ``POST
/build`` receives) and from the directory itself. With ``--engine``, also as a learner
types it: ``DOCKER_BUILDKIT=0 docker build`` (the real CLI) through our engine daemon,
which adds the CLI's start, its tarring of the context and the HTTP stream. Prints the
first build's time and the median and worst cached rebuild of each kind.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import statistics
import sys
import tarfile
import tempfile
import time
from pathlib import Path

from _engine import Engine

DOCKERFILE = """\
FROM busybox
ARG VERSION=1.0
ENV APP_HOME=/app VERSION=$VERSION
WORKDIR $APP_HOME
COPY requirements.txt ./
COPY src/ ./src/
RUN echo "building $VERSION" && mkdir -p /app/data && wc -l src/*.py > /app/lines.txt
RUN adduser -D -H app 2>/dev/null || true
EXPOSE 8080
CMD ["sh", "-c", "cat /app/lines.txt"]
"""


def _context(root: Path) -> Path:
    ctx = root / "ctx"
    (ctx / "src").mkdir(parents=True)
    (ctx / "Dockerfile").write_text(DOCKERFILE)
    (ctx / "requirements.txt").write_text("flask==3.0\n")
    for i in range(50):
        (ctx / "src" / f"mod{i}.py").write_text(f"# module {i}\n" + "x = 1\n" * 200)
    (ctx / ".dockerignore").write_text("*.pyc\n")
    return ctx


def _tar(ctx: Path) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name in sorted(os.listdir(ctx)):
            tar.add(ctx / name, arcname=name)
    return buf.getvalue()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=20)
    ap.add_argument("--engine", action="store_true", help="also `docker build` through our engine")
    args = ap.parse_args()
    if args.engine and shutil.which("docker") is None:
        print("--engine needs the docker CLI", file=sys.stderr)
        return 2
    if os.geteuid() != 0:
        print("bench/build_cache.py needs root (RUN steps run containers)", file=sys.stderr)
        return 2
    from sandbox.images.bootstrap import bootstrap_busybox
    from sandbox.images.build import BuildEvent, build
    from sandbox.runtime.runtime import Runtime
    from sandbox.storage import Store

    work = Path(tempfile.mkdtemp(prefix="bench-build-", dir="/tmp"))
    parent = f"sandbox/bench-{os.getpid()}"
    engine: Engine | None = None
    try:
        store = Store(work / "store")
        bootstrap_busybox(store)
        runtime = Runtime(work / "run", cgroup_parent=parent)
        ctx = _context(work)
        tar = _tar(ctx)
        t0 = time.perf_counter()
        build(store, runtime, tar, tags=["bench:1"])
        first = (time.perf_counter() - t0) * 1000
        results: dict[str, list[float]] = {"tar stream": [], "directory": []}
        if args.engine:
            engine = Engine.start(work / "store", work / "engine-run", cgroup_parent=parent)
            # The engine shares the store, so its first build is served from the cache too
            # (and starts no container: no bridge of the engine's own is made).
            out = engine.docker("build", "-t", "bench:1", str(ctx))
            if out.count(" ---> Using cache\n") != 9:
                print(f"the engine did not find the cache:\n{out}", file=sys.stderr)
                return 1
            results["docker CLI"] = []
        for _ in range(args.n):
            for kind, source in (("tar stream", tar), ("directory", ctx)):
                events: list[BuildEvent] = []
                t0 = time.perf_counter()
                build(store, runtime, source, tags=["bench:1"], emit=events.append)
                results[kind].append((time.perf_counter() - t0) * 1000)
                cached = sum(1 for e in events if e.text == " ---> Using cache\n")
                if cached != 9:
                    print(f"expected 9 cached steps, got {cached}", file=sys.stderr)
                    return 1
            if engine is not None:
                t0 = time.perf_counter()
                out = engine.docker("build", "-t", "bench:1", str(ctx))
                results["docker CLI"].append((time.perf_counter() - t0) * 1000)
                if out.count(" ---> Using cache\n") != 9:
                    print(f"expected 9 cached steps through the engine:\n{out}", file=sys.stderr)
                    return 1
        print(f"first build (10 steps, 2 RUN): {first:8.1f} ms")
        ok = True
        for kind, times in results.items():
            median, worst = statistics.median(times), max(times)
            ok = ok and median <= 300
            print(f"cached rebuild, {kind:10}: median {median:6.1f} ms, worst {worst:6.1f} ms"
                  f"  (n={len(times)})")
        print("target: cached rebuild <= 300 ms:", "met" if ok else "MISSED")
        return 0 if ok else 1
    finally:
        if engine is not None:
            engine.stop()
        shutil.rmtree(work, ignore_errors=True)
        for d in [*Path("/sys/fs/cgroup").glob(f"*/{parent}"), Path("/sys/fs/cgroup") / parent]:
            if d.is_dir():
                d.rmdir()


if __name__ == "__main__":
    sys.exit(main())
