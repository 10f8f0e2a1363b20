"""Bad bundles get one clear line naming the field, and nothing is created (root only:
the CLI is run for real, and must not get as far as the kernel)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench._bundle import runc_bundle
from sandbox.linux import proc

pytestmark = pytest.mark.root


def _break(cfg: dict, how: str) -> dict | str:
    if how == "rootfs":
        cfg["root"]["path"] = "no-such-rootfs"
    elif how == "namespace":
        cfg["linux"]["namespaces"].append({"type": "bogus"})
    elif how == "memory":
        cfg["linux"]["resources"] = {"memory": {"limit": -5}}
    elif how == "json":
        return '{"ociVersion": "1.0.2", "process": '
    return cfg


@pytest.mark.parametrize("how,field", [
    ("rootfs", "root.path"),
    ("namespace", "linux.namespaces"),
    ("memory", "linux.resources.memory.limit"),
    ("json", "config.json"),
])
def test_bad_bundle_is_refused_cleanly(tmp_path, unique, how, field) -> None:
    bundle = runc_bundle(tmp_path / "bundle", ["true"])
    broken = _break(json.loads((bundle / "config.json").read_text()), how)
    (bundle / "config.json").write_text(broken if isinstance(broken, str) else json.dumps(broken))
    state_root = tmp_path / "state"
    r = subprocess.run([str(Path(sys.executable).with_name("sandbox")), "runtime", "--root", str(state_root),
                        "run", "--bundle", str(bundle), unique], capture_output=True, text=True, timeout=60)
    assert r.returncode == 1
    first = r.stderr.strip().splitlines()[0]
    assert field in first, r.stderr
    assert "Traceback" not in r.stderr
    assert not (state_root / unique).exists()
    assert not proc.mounts_under(str(tmp_path))
    assert not list(Path("/sys/fs/cgroup").glob(f"*/sandbox/{unique}"))
