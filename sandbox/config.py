"""Paths, sockets and ports: one ``Settings`` object built at the edge and passed down.

Nothing here reads the environment at import time; ``Settings.from_env`` does it when the
composition root (``sandbox.cli``) asks.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    root: Path = Path("/var/lib/sandbox")
    """SANDBOX_ROOT: images, containers, volumes (the persistent state)."""
    run_dir: Path = Path("/run/sandbox")
    """SANDBOX_RUN: sockets, pids and runtime state (gone at reboot, like /run)."""
    cgroup_parent: str = "sandbox"
    """Every cgroup we make lives under this parent, in each hierarchy."""

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "Settings":
        env = dict(os.environ if env is None else env)
        return cls(
            root=Path(env.get("SANDBOX_ROOT", str(cls.root))),
            run_dir=Path(env.get("SANDBOX_RUN", str(cls.run_dir))),
            cgroup_parent=env.get("SANDBOX_CGROUP_PARENT", cls.cgroup_parent),
        )

    @property
    def store_root(self) -> Path:
        """The OCI image layout and layer directories."""
        return self.root

    @property
    def runtime_root(self) -> Path:
        """Where the runtime keeps one state directory per container (like runc's --root)."""
        return self.run_dir / "runtime"
