"""A container service on its own state: a store with busybox, a runtime, a cgroup parent.

Every test gets fresh directories in tmp_path and the cgroup parent ``sandbox/<unique>``.
Teardown removes every container (also after a failure) and then checks that nothing is
left: no runtime container, no mount under tmp_path, no cgroup below the parent.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from sandbox.config import Settings
from sandbox.errors import SandboxError


def eventually(check: Callable[[], Any], timeout: float = 10.0, what: str = "condition") -> Any:
    """Poll ``check`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def namespace(pid: int, kind: str) -> str:
    """The inode link of a process's namespace of ``kind`` (``pid``, ``uts``, ``ipc`` …)."""
    return os.readlink(f"/proc/{pid}/ns/{kind}")


def logged_output(h: Harness, cid: str) -> str:
    """Everything a container wrote, from its log."""
    return "".join(chunk.decode() for _, chunk, _ in h.svc.logs(cid))


@dataclass
class Harness:
    settings: Settings
    unique: str
    services: list[Any] = field(default_factory=list)
    events: list[tuple[str, str, str, dict[str, str]]] = field(default_factory=list)

    @property
    def svc(self) -> Any:
        return self.services[-1]

    def new_service(self) -> Any:
        """A service on the same directories, as a restarted engine would make."""
        from sandbox.engine.containers import ContainerService
        from sandbox.runtime.runtime import Runtime
        from sandbox.storage import Store

        s = self.settings
        svc = ContainerService(s, Store(s.root), Runtime(s.runtime_root, cgroup_parent=s.cgroup_parent),
                               lambda *e: self.events.append(e))
        self.services.append(svc)
        return svc

    def actions(self, cid: str | None = None) -> list[str]:
        return [e[1] for e in self.events if cid is None or e[2] == cid]

    def run(self, cmd: list[str], name: str | None = None, **config: Any) -> str:
        """Create and start; returns the id."""
        host = config.pop("HostConfig", {})
        cid = self.svc.create({"Image": "busybox", "Cmd": cmd, "HostConfig": host, **config}, name)["Id"]
        self.svc.start(cid)
        return cid


def _cgroup_dirs(unique: str) -> list[Path]:
    root = Path("/sys/fs/cgroup")
    return [p for p in [*root.glob(f"*/sandbox/{unique}"), root / "sandbox" / unique] if p.is_dir()]


@pytest.fixture
def h(tmp_path: Path, unique: str) -> Iterator[Harness]:
    if os.geteuid() != 0:
        pytest.skip("needs root")
    from sandbox.images.bootstrap import bootstrap_busybox
    from sandbox.linux import proc
    from sandbox.storage import Store

    # The run directory holds the shims' unix sockets, whose paths may not pass 107 bytes:
    # a pytest tmp_path is too deep for that, so it lives in a short directory of its own.
    run_dir = Path(tempfile.mkdtemp(prefix="cs-", dir="/tmp"))
    settings = Settings(root=tmp_path / "root", run_dir=run_dir, cgroup_parent=f"sandbox/{unique}")
    bootstrap_busybox(Store(settings.root))
    harness = Harness(settings, unique)
    harness.new_service()
    try:
        yield harness
    finally:
        for old in harness.services[:-1]:
            old.close()
        svc = harness.svc
        problems: list[str] = []
        for c in svc.eng.registry.all():
            try:
                svc.remove(c.id, force=True)
            except SandboxError as e:
                problems.append(f"rm {c.id}: {e}")
        svc.close()
        for st in svc.eng.runtime.list():
            problems.append(f"runtime container left: {st.id}")
            svc.eng.runtime.delete(st.id, force=True)
        mounts = proc.mounts_under(str(tmp_path)) + proc.mounts_under(str(run_dir))
        for m in mounts:
            subprocess.run(["umount", "-l", m], check=False)
        leftovers = [child for d in _cgroup_dirs(unique) for child in d.iterdir() if child.is_dir()]
        for d in sorted(_cgroup_dirs(unique), key=lambda p: -len(str(p))):
            for child in sorted(d.rglob("*"), key=lambda p: -len(str(p))):
                if child.is_dir():
                    child.rmdir()
            d.rmdir()
        shutil.rmtree(run_dir, ignore_errors=True)
        assert not problems, problems
        assert not mounts, mounts
        assert not leftovers, leftovers
