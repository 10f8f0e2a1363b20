"""Builds on a store of their own in tmp_path, with busybox as the base image.

``Builder`` wraps ``build`` with an event log and knows how to look for leftovers: runtime
containers, containers' read-write layers, cgroups under the test's own parent, mounts.
Runtime state lives in a short directory under /tmp (unix socket paths are short), and
teardown removes whatever a failing test left, then the cgroup parent itself.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from sandbox.images._elf import is_static
from sandbox.images.bootstrap import bootstrap_busybox
from sandbox.images.build import BuildEvent, build
from sandbox.storage import Image, Store

BUSYBOX = Path("/bin/busybox")


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    """``{"Dockerfile": "...", "src/a.txt": "a"}`` -> files under ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)
    return root


def tar_of(root: Path) -> bytes:
    """The context as the docker CLI sends it: a tar of the directory's contents."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name in sorted(os.listdir(root)):
            tar.add(root / name, arcname=name)
    return buf.getvalue()


@dataclass
class Builder:
    store: Store
    runtime: Any
    tmp: Path
    run_dir: Path | None = None
    cgroup_parent: str | None = None
    events: list[BuildEvent] = field(default_factory=list)

    def build(self, context: Any, **kwargs: Any) -> Image:
        self.events = []
        return build(self.store, self.runtime, context, emit=self.events.append, **kwargs)

    @property
    def text(self) -> str:
        return "".join(e.text for e in self.events)

    def steps_using_cache(self) -> list[int]:
        """Step numbers whose next line is `` ---> Using cache``."""
        lines = self.text.splitlines()
        out = []
        for i, line in enumerate(lines):
            if line.startswith("Step ") and i + 1 < len(lines) and lines[i + 1] == " ---> Using cache":
                out.append(int(line.split()[1].split("/")[0]))
        return out

    def image_file(self, image: Image, path: str) -> bytes:
        found = self.store.resolve_path(image, path)
        assert found is not None, f"{path} is not in the image"
        return found.read_bytes()

    def cgroup_dirs(self) -> list[Path]:
        if self.cgroup_parent is None:
            return []
        root = Path("/sys/fs/cgroup")
        return [p for p in [*root.glob(f"*/{self.cgroup_parent}"), root / self.cgroup_parent] if p.is_dir()]

    def leftovers(self) -> list[str]:
        from sandbox.linux import proc

        found = [f"container layer {c.container_id}" for c in self.store.container_layers()]
        containers = self.store.root / "containers"
        if containers.is_dir():
            found += [f"container dir {p.name}" for p in containers.iterdir()]
        if self.runtime is not None:
            found += [f"runtime container {st.id}" for st in self.runtime.list()]
        for d in self.cgroup_dirs():
            found += [f"cgroup {d / c.name}" for c in d.iterdir() if c.is_dir()]
        found += [f"mount {m}" for m in proc.mounts_under(str(self.tmp))]
        if self.run_dir is not None:
            found += [f"mount {m}" for m in proc.mounts_under(str(self.run_dir))]
        scratch = [p.name for p in self.store.root.glob(".build-*")]
        found += [f"scratch dir {n}" for n in scratch]
        return found


@pytest.fixture(scope="session")
def busybox_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding busybox:latest, made once; each test gets a copy of it."""
    if not (BUSYBOX.is_file() and is_static(BUSYBOX)):
        pytest.skip("busybox-static is not installed (apt-get install busybox-static)")
    root = tmp_path_factory.mktemp("busybox-store") / "store"
    bootstrap_busybox(Store(root))
    return root


@pytest.fixture
def store(busybox_store: Path, tmp_path: Path) -> Store:
    # The store keeps no absolute paths in its records, so a copy is a store of its own.
    shutil.copytree(busybox_store, tmp_path / "store", symlinks=True)
    return Store(tmp_path / "store")


@pytest.fixture
def builder(store: Store, tmp_path: Path) -> Builder:
    """No runtime: for Dockerfiles without RUN (runs without root)."""
    return Builder(store, None, tmp_path)


def _remove_cgroups(dirs: list[Path]) -> None:
    for d in dirs:
        for child in sorted(d.rglob("*"), key=lambda p: len(p.parts), reverse=True):
            if child.is_dir():
                child.rmdir()
        d.rmdir()


@pytest.fixture
def runner(store: Store, tmp_path: Path, unique: str) -> Iterator[Builder]:
    """A runtime too: for RUN (needs root)."""
    if os.geteuid() != 0:
        pytest.skip("needs root")
    from sandbox.runtime.runtime import Runtime

    run_dir = Path(tempfile.mkdtemp(prefix="bld-", dir="/tmp"))
    parent = f"sandbox/{unique}"
    b = Builder(store, Runtime(run_dir / "runtime", cgroup_parent=parent), tmp_path, run_dir, parent)
    try:
        yield b
    finally:
        from sandbox.linux import proc

        for st in b.runtime.list():
            b.runtime.delete(st.id, force=True)
        for layer in store.container_layers():
            store.remove_container_layer(layer.container_id)
        for m in proc.mounts_under(str(tmp_path)) + proc.mounts_under(str(run_dir)):
            subprocess.run(["umount", "-l", m], check=False)
        _remove_cgroups(b.cgroup_dirs())
        shutil.rmtree(run_dir, ignore_errors=True)
