"""Pulls whose next layers download while one is applied: order, and failures midway."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sandbox.errors import RegistryUnavailable
from sandbox.images.registry import ProgressEvent, pull, push
from sandbox.storage import Image, Store
from tests.images.registry.conftest import RunningRegistry, derived_image


def _many_layers(store: Store, base: Image, ref: str, count: int) -> Image:
    image = base
    for i in range(count):
        # Each layer changes the file the one below wrote: applied out of order, the
        # top file would be wrong.
        image = derived_image(store, image, ref, {"order.txt": f"layer {i}\n".encode(),
                                                  f"f{i}.bin": os.urandom(300_000)})
    return image


def test_more_layers_than_the_window_apply_in_order(registry: RunningRegistry, store: Store, busybox: Image,
                                                    tmp_path: Path) -> None:
    ref = registry.ref("many:1")
    image = _many_layers(store, busybox, ref, 6)
    push(store, ref)
    fresh = Store(tmp_path / "fresh", "copy")
    events: list[ProgressEvent] = []
    pulled = pull(fresh, ref, progress=events.append)
    assert pulled.manifest_digest == image.manifest_digest and len(pulled.layers) == 7
    top = fresh.layer(pulled.layers[-1])
    assert (top.diff / "order.txt").read_text() == "layer 5\n"
    fresh.verify_image(ref)
    done = [e.id for e in events if e.status == "Pull complete"]
    assert done == [d[7:19] for d in image.blobs[1:]]  # reported in the manifest's order


def test_registry_killed_mid_pull_leaves_nothing(registry: RunningRegistry, store: Store, busybox: Image,
                                                 tmp_path: Path) -> None:
    ref = registry.ref("gone:1")
    _many_layers(store, busybox, ref, 4)
    push(store, ref)
    fresh = Store(tmp_path / "fresh", "copy")
    killed: list[bool] = []

    def kill_once_downloading(event: ProgressEvent) -> None:
        if event.status == "Downloading" and not killed:
            registry.kill()
            killed.append(True)

    with pytest.raises(RegistryUnavailable):
        pull(fresh, ref, progress=kill_once_downloading)
    assert killed
    assert fresh.images() == [] and fresh.layers() == [] and fresh.layout.blobs() == []
    assert not [p for p in fresh.layout.blob_dir.iterdir() if p.name.startswith(".tmp-")]
