"""Fixtures for runtime tests: a busybox rootfs, Docker-like specs, a runtime that cleans up."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from sandbox.linux import proc


def docker_like_spec(args: list[str], *, resources: dict[str, Any] | None = None,
                     hostname: str = "box") -> dict[str, Any]:
    """What the engine will ask for: Docker's caps, masks, seccomp, a cgroup namespace."""
    from sandbox.runtime.seccomp import default_profile
    from sandbox.runtime.security import (DEFAULT_CAPABILITIES, DEFAULT_MASKED_PATHS,
                                          DEFAULT_READONLY_PATHS)
    from sandbox.runtime.spec import runc_default_spec

    cfg = runc_default_spec(args)
    cfg["process"]["terminal"] = False
    caps = list(DEFAULT_CAPABILITIES)
    cfg["process"]["capabilities"] = {"bounding": caps, "effective": caps, "permitted": caps,
                                      "inheritable": [], "ambient": []}
    cfg["process"]["noNewPrivileges"] = True
    cfg["hostname"] = hostname
    cfg["root"] = {"path": "rootfs", "readonly": False}
    cfg["linux"]["namespaces"] = [{"type": t} for t in ("pid", "network", "ipc", "uts", "mount", "cgroup")]
    cfg["linux"]["maskedPaths"] = list(DEFAULT_MASKED_PATHS)
    cfg["linux"]["readonlyPaths"] = list(DEFAULT_READONLY_PATHS)
    cfg["linux"]["seccomp"] = default_profile()
    cfg["linux"]["resources"] = resources or {}
    return cfg


@dataclass
class Harness:
    """A runtime with its own state root; runs containers from the busybox root."""

    rt: Any
    rootfs: Path
    work: Path
    unique: str
    n: int = 0

    def new_id(self) -> str:
        self.n += 1
        return f"{self.unique}-{self.n}"

    def overlay(self, name: str) -> Any:
        from sandbox.runtime.spec import Overlay

        upper, work = self.work / name / "upper", self.work / name / "work"
        upper.mkdir(parents=True)
        work.mkdir(parents=True)
        return Overlay(lowerdirs=[self.rootfs], upperdir=upper, workdir=work)

    def spec(self, args: list[str], *, overlay: str | None = None, **kw: Any) -> Any:
        from sandbox.runtime.spec import parse_spec

        bundle = self.rootfs.parent
        spec = parse_spec(docker_like_spec(args, **kw), bundle)
        if overlay:
            spec.overlay = self.overlay(overlay)
        else:
            # The shared lower root is never written: containers without an overlay get it read-only.
            spec.root.readonly = True
        return spec

    def run(self, args: list[str], **kw: Any) -> tuple[int, str, Any]:
        """Run to completion; (exit code, stdout+stderr, ExitStatus)."""
        from sandbox.runtime.runtime import ProcessIO

        spec = kw.pop("spec", None) or self.spec(args, **kw)
        out = self.work / f"out-{self.n}-{os.getpid()}"
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        null = os.open(os.devnull, os.O_RDONLY)
        try:
            status = self.rt.run(self.new_id(), spec, self.rootfs.parent, io=ProcessIO("fds", fds=(null, fd, fd)))
        finally:
            os.close(fd)
            os.close(null)
        return status.code, out.read_text(), status


@pytest.fixture
def harness(rootfs: Path, tmp_path: Path, unique: str) -> Iterator[Harness]:
    if os.geteuid() != 0:
        pytest.skip("needs root")
    from sandbox.runtime.runtime import Runtime

    rt = Runtime(tmp_path / "state")
    h = Harness(rt=rt, rootfs=rootfs, work=tmp_path, unique=unique)
    try:
        yield h
    finally:
        for st in rt.list():
            rt.delete(st.id, force=True)
        leftover_mounts = proc.mounts_under(str(tmp_path))
        leftover_cgroups = [p for p in Path("/sys/fs/cgroup").glob(f"*/sandbox/{unique}-*")]
        assert not leftover_mounts, leftover_mounts
        assert not leftover_cgroups, leftover_cgroups
