"""Turn an image's config plus run options into the runtime's spec, as dockerd does.

Containers get Docker's defaults: its capability set, masked and read-only /proc and /sys
paths, the default seccomp profile, no_new_privs, and their own pid, network, ipc, uts,
mount and cgroup namespaces.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sandbox.runtime.spec import Overlay, Spec, parse_spec

DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


@dataclass
class RunOptions:
    args: list[str] = field(default_factory=list)
    """Overrides the image's Cmd (``docker run IMAGE ARGS…``)."""
    entrypoint: list[str] | None = None
    env: list[str] = field(default_factory=list)
    hostname: str = ""
    tty: bool = False
    workdir: str | None = None
    user: str | None = None
    memory: int | None = None
    cpu_quota: int | None = None
    cpu_period: int | None = None
    pids_limit: int | None = None


def _user(spec_user: str | None) -> dict[str, int]:
    if not spec_user:
        return {"uid": 0, "gid": 0}
    uid, _, gid = spec_user.partition(":")
    if not uid.isdigit() or (gid and not gid.isdigit()):
        from sandbox.errors import SandboxError

        raise SandboxError(f"user {spec_user!r}: only numeric uid[:gid] is supported here", "use e.g. 1000:1000")
    return {"uid": int(uid), "gid": int(gid or uid)}


def build(image_config: dict[str, Any], opts: RunOptions, rootfs: Overlay | Path) -> Spec:
    """``image_config`` is the OCI image config's ``config`` object (Env, Cmd, …)."""
    from sandbox.runtime.seccomp import default_profile
    from sandbox.runtime.security import DEFAULT_CAPABILITIES, DEFAULT_MASKED_PATHS, DEFAULT_READONLY_PATHS
    from sandbox.runtime.spec import runc_default_spec

    entry = opts.entrypoint if opts.entrypoint is not None else list(image_config.get("Entrypoint") or [])
    cmd = opts.args or list(image_config.get("Cmd") or [])
    args = entry + cmd
    if not args:
        from sandbox.errors import SandboxError

        raise SandboxError("no command specified", "give one after the image name, or set CMD in the image")
    env = list(image_config.get("Env") or [DEFAULT_PATH])
    if opts.hostname:
        env.append(f"HOSTNAME={opts.hostname}")
    if opts.tty:
        env.append("TERM=xterm")
    env += opts.env
    cfg = runc_default_spec(args, terminal=opts.tty)
    caps = list(DEFAULT_CAPABILITIES)
    cfg["process"].update({
        "env": env, "cwd": opts.workdir or image_config.get("WorkingDir") or "/",
        "user": _user(opts.user or image_config.get("User")),
        "capabilities": {"bounding": caps, "effective": caps, "permitted": caps, "inheritable": [], "ambient": []},
        "noNewPrivileges": True,
    })
    cfg["hostname"] = opts.hostname or None
    cfg["root"] = {"path": str(rootfs) if isinstance(rootfs, Path) else "/", "readonly": False}
    resources: dict[str, Any] = {}
    if opts.memory is not None:
        resources["memory"] = {"limit": opts.memory}
    if opts.cpu_quota is not None:
        resources["cpu"] = {"quota": opts.cpu_quota, "period": opts.cpu_period or 100000}
    if opts.pids_limit is not None:
        resources["pids"] = {"limit": opts.pids_limit}
    cfg["linux"].update({
        "namespaces": [{"type": t} for t in ("pid", "network", "ipc", "uts", "mount", "cgroup")],
        "maskedPaths": list(DEFAULT_MASKED_PATHS), "readonlyPaths": list(DEFAULT_READONLY_PATHS),
        "seccomp": default_profile(), "resources": resources,
    })
    if not opts.hostname:
        cfg.pop("hostname", None)
    spec = parse_spec(cfg, Path("/"))
    if isinstance(rootfs, Overlay):
        spec.overlay = rootfs
    return spec
