"""A registry that dies in the middle of a push: the push fails with a clear error and
the local store is exactly as it was (every blob still verifies)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sandbox.errors import RegistryUnavailable
from sandbox.images.registry import ProgressEvent, pull, push
from sandbox.storage import Store
from tests.images.registry.conftest import RunningRegistry, random_image


def _tree(root: Path) -> dict[str, tuple[int, int]]:
    out = {}
    for dirpath, _, files in os.walk(root):
        for name in files:
            st = os.lstat(os.path.join(dirpath, name))
            out[os.path.relpath(os.path.join(dirpath, name), root)] = (st.st_size, st.st_mtime_ns)
    return out


def test_registry_killed_mid_push(registry: RunningRegistry, store: Store, tmp_path: Path) -> None:
    ref = registry.ref("big:1")
    image = random_image(store, ref, 8 << 20)  # larger than socket buffers: the upload takes many writes
    before = _tree(store.root)
    killed: list[int] = []

    def kill_once_pushing(event: ProgressEvent) -> None:
        if event.status == "Pushing" and event.current and not killed:
            registry.kill()
            killed.append(event.current)

    with pytest.raises(RegistryUnavailable) as e:
        push(store, ref, progress=kill_once_pushing)
    assert killed and killed[0] < (8 << 20)
    assert registry.address in str(e.value)

    assert _tree(store.root) == before
    store.verify_image(ref)
    assert store.image(ref).manifest_digest == image.manifest_digest
    # Nothing half-pushed can be pulled either.
    with pytest.raises(RegistryUnavailable):
        pull(Store(tmp_path / "other", "copy"), ref)
