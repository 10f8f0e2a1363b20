"""A busybox OCI bundle made the way `runc spec` makes one, for side-by-side runs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path


def busybox_rootfs(rootfs: Path, busybox: str = "/bin/busybox") -> Path:
    """A minimal root: busybox-static plus a link per applet."""
    (rootfs / "bin").mkdir(parents=True, exist_ok=True)
    shutil.copy2(busybox, rootfs / "bin" / "busybox")
    applets = subprocess.run([busybox, "--list"], capture_output=True, text=True, check=True).stdout.split()
    for applet in applets:
        link = rootfs / "bin" / applet
        if not link.exists():
            os.symlink("busybox", link)
    for d in ("proc", "sys", "dev", "etc", "tmp", "root"):
        (rootfs / d).mkdir(exist_ok=True)
    (rootfs / "etc" / "passwd").write_text("root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n")
    (rootfs / "etc" / "group").write_text("root:x:0:\nnogroup:x:65534:\n")
    return rootfs


def runc_bundle(bundle: Path, args: list[str]) -> Path:
    """`runc spec` in ``bundle``, then the process set to ``args`` without a terminal."""
    bundle.mkdir(parents=True, exist_ok=True)
    busybox_rootfs(bundle / "rootfs")
    if not (bundle / "config.json").exists():
        subprocess.run(["runc", "spec"], cwd=bundle, check=True)
    cfg = json.loads((bundle / "config.json").read_text())
    cfg["process"]["args"] = args
    cfg["process"]["terminal"] = False
    (bundle / "config.json").write_text(json.dumps(cfg, indent=2))
    return bundle
