"""Push and pull of a 3-layer image of about 50 MB against docker-registry, ours vs skopeo.

    .venv/bin/python bench/registry_push_pull.py [-n 7] [--mb 50]

Debian's docker-registry on free loopback ports (started as ``sandbox up --registry``
starts it) serves both sides in the same run, interleaved, so background load hits both
alike. The image is busybox plus two layers of random-ish files (half random
bytes, a fifth text: gzip shrinks it a little, as with real binaries), built offline.

- push: ours ``sandbox.images.registry.push`` from our store; skopeo ``skopeo copy
  oci:STORE:TAG docker://…`` from the same store (it is an OCI image layout). Each round
  each side pushes to a fresh registry of its own, so every blob is really uploaded
  (skopeo remembers where it pushed blobs and would mount them from another repository
  of the same registry instead).
- pull: ours ``pull`` into an empty store (download, verify, unpack the layers: ready to
  run); skopeo ``skopeo copy docker://… oci:DIR`` (download and verify only: skopeo does
  not unpack). skopeo runs as a process; ours in-process (a `sandbox` process would add the
  interpreter's start, ≈ 0.1 s, to each).

With ``--engine`` (and the docker CLI installed), two more rows: the same push and pull
typed as a learner does, ``docker push``/``docker pull`` through our engine daemon (one
engine holding the image pushes; an empty one pulls, and removes the image after each
round). Those include the CLI's start and the engine's JSON progress stream.

Prints each median, the ratio ours/skopeo and whether the target (≤ 1.2×) is met.
"""

from __future__ import annotations

import argparse
import gzip
import io
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from _engine import Engine

TARGET = 1.2


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _random_ish(rng: random.Random, size: int) -> bytes:
    text = (b"the quick brown fox jumps over the lazy dog 0123456789\n" * (size // 220 + 1))[: size // 5]
    return rng.randbytes(size - len(text)) + text


def _layer(rng: random.Random, prefix: str, files: int, size: int) -> bytes:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tf:
        d = tarfile.TarInfo(prefix)
        d.type, d.mode, d.mtime = tarfile.DIRTYPE, 0o755, 1_600_000_000
        tf.addfile(d)
        for i in range(files):
            data = _random_ish(rng, size)
            info = tarfile.TarInfo(f"{prefix}/file{i:02}.bin")
            info.size, info.mode, info.mtime = len(data), 0o644, 1_600_000_000
            tf.addfile(info, io.BytesIO(data))
    return gzip.compress(raw.getvalue(), compresslevel=6, mtime=0)


def _make_image(store_root: Path, total_mb: int) -> str:
    from sandbox.images.bootstrap import bootstrap_busybox
    from sandbox.storage import ImageConfig, Store

    store = Store(store_root)
    base = bootstrap_busybox(store)
    rng = random.Random(42)
    per_layer = total_mb * (1 << 20) // 2
    layers = [store.layer(x) for x in base.layers]
    for name in ("data", "assets"):
        blob = _layer(rng, name, 10, per_layer // 10)
        layers.append(store.import_layer_tar(io.BytesIO(blob), parent=layers[-1]))
    image = store.create_image(layers, ImageConfig(cmd=["sh"]), ["bench/payload:1"])
    return image.manifest_digest


def _time(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


def _skopeo(*args: str) -> None:
    subprocess.run(["skopeo", "--insecure-policy", "copy", "-q", *args], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _pull_into(store_root: Path, ref: str) -> object:
    from sandbox.images.registry import pull
    from sandbox.storage import Store

    return pull(Store(store_root), ref)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=7, help="rounds (default 7)")
    ap.add_argument("--mb", type=int, default=50, help="approximate image size in MiB (default 50)")
    ap.add_argument("--engine", action="store_true", help="also docker push/pull through our engine")
    args = ap.parse_args()
    if args.engine and shutil.which("docker") is None:
        print("--engine needs the docker CLI", file=sys.stderr)
        return 2
    for tool in ("docker-registry", "skopeo"):
        if shutil.which(tool) is None:
            print(f"{tool} is not installed (apt-get install {tool})", file=sys.stderr)
            return 2
    from sandbox.engine import registry_service as rs
    from sandbox.images.registry import push
    from sandbox.storage import Store

    work = Path(tempfile.mkdtemp(prefix="bench-registry-", dir="/var/tmp"))
    started: list[rs.RegistryPaths] = []
    engines: list[Engine] = []

    def registry(name: str) -> str:
        paths = rs.RegistryPaths.beside(work / name, work / "run" / f"{name}.sock")
        started.append(paths)
        return rs.start(paths, rs.RegistryOptions(f"127.0.0.1:{_free_port()}"))[0].address

    try:
        store_root = work / "store"
        digest = _make_image(store_root, args.mb)
        store = Store(store_root)
        image = store.image("bench/payload:1")
        blob_mb = sum(store.layout.blob_size(d) for d in image.blobs) / (1 << 20)
        times: dict[str, list[float]] = {k: [] for k in ("ours push", "skopeo push", "ours pull", "skopeo pull",
                                                         "engine push", "engine pull")}
        if args.engine:
            # The pushing engine serves the store the image was made in; the pulling one starts empty.
            engines += [Engine.start(store_root, work / "run-a"), Engine.start(work / "empty", work / "run-b")]
        for i in range(args.n):
            ours_ref, sk_ref = f"{registry(f'ours{i}')}/bench/payload:1", f"{registry(f'skopeo{i}')}/bench/payload:1"
            store.tag(image, ours_ref)
            pushes: list[tuple[str, Callable[[], object]]] = [
                ("ours push", partial(push, store, ours_ref)),
                ("skopeo push", partial(_skopeo, "--dest-tls-verify=false", f"oci:{store_root}:bench/payload:1",
                                        f"docker://{sk_ref}")),
            ]
            pull_store, sk_dir = work / f"pull{i}", work / f"skopeo-pull{i}"
            # Both pull what ours pushed (the same bytes skopeo pushed: neither recompresses).
            pulls: list[tuple[str, Callable[[], object]]] = [
                ("ours pull", partial(_pull_into, pull_store, ours_ref)),
                ("skopeo pull", partial(_skopeo, "--src-tls-verify=false", f"docker://{ours_ref}",
                                        f"oci:{sk_dir}:payload")),
            ]
            if engines:
                engine_ref = f"{registry(f'engine{i}')}/bench/payload:1"
                engines[0].docker("tag", "bench/payload:1", engine_ref)
                pushes.append(("engine push", partial(engines[0].docker, "push", engine_ref)))
                pulls.append(("engine pull", partial(engines[1].docker, "pull", ours_ref)))
            # Alternate who goes first: the second of a pair finds warmer caches.
            for group in (pushes, pulls):
                for name, fn in (group if i % 2 == 0 else list(reversed(group))):
                    times[name].append(_time(fn))
            if engines:
                engines[1].docker("rmi", ours_ref)
            pulled = Store(pull_store).image(ours_ref)
            if pulled.manifest_digest != digest:
                print(f"pulled digest {pulled.manifest_digest} != pushed {digest}", file=sys.stderr)
                return 1
            shutil.rmtree(pull_store)
            shutil.rmtree(sk_dir)
            for paths in started[-(3 if engines else 2):]:
                rs.stop(paths)
        print(f"image: 3 layers, {blob_mb:.1f} MiB compressed, n={args.n}, docker-registry on loopback")
        print(f"{'':22} {'ours':>10} {'skopeo':>10} {'ratio':>7}")
        ok = True
        for who, op in (("ours", "push"), ("ours", "pull"), ("engine", "push"), ("engine", "pull")):
            if not times[f"{who} {op}"]:
                continue
            ours, theirs = statistics.median(times[f"{who} {op}"]), statistics.median(times[f"skopeo {op}"])
            ratio = ours / theirs
            ok = ok and ratio <= TARGET
            label = op if who == "ours" else f"docker {op} via engine"
            print(f"{label:22} {ours:8.0f}ms {theirs:8.0f}ms {ratio:6.2f}x")
        print(f"target: ours <= {TARGET}x skopeo:", "met" if ok else "MISSED")
        return 0 if ok else 1
    finally:
        for engine in engines:
            engine.stop()
        for paths in started:
            rs.stop(paths)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
