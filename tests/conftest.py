"""Shared test plumbing: the ``root`` marker and unique names for kernel objects."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.geteuid() == 0:
        return
    skip = pytest.mark.skip(reason="needs root (namespaces, cgroups, mounts); CI runs it as root")
    for item in items:
        if "root" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _keeps_signal_handlers(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every test runs with the handlers the one before it had, and a test that leaves one
    changed is named. The REPL's Ctrl-C tests need Python's own SIGINT handler: a handler
    left behind by an earlier test (an event loop's, a signal proxy's) swallows their
    simulated Ctrl-C, and they failed far from the test that caused it."""
    before = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD)}
    yield
    for sig, handler in before.items():
        now = signal.getsignal(sig)
        if now is not handler and handler is not None:
            warnings.warn(f"{request.node.nodeid} left the {sig.name} handler as {now!r}; restored",
                          stacklevel=1)
            signal.signal(sig, handler)


@pytest.fixture
def unique() -> str:
    """A short name no other test (or run) uses, for cgroups, bridges, netns, ids."""
    return "t" + uuid.uuid4().hex[:10]


@pytest.fixture(scope="session")
def rootfs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A busybox root shared by the session; containers use it read-only or as an overlay's
    lower layer, never writing into it. Holds /bin/probe (tests/runtime/probe.c) when gcc is
    there."""
    from bench._bundle import busybox_rootfs

    root = busybox_rootfs(tmp_path_factory.mktemp("lower") / "rootfs")
    if shutil.which("gcc"):
        probe = Path(__file__).parent / "runtime" / "probe.c"
        subprocess.run(["gcc", "-static", "-O1", "-o", str(root / "bin" / "probe"), str(probe)], check=True)
    return root

