"""The runtime spec of a RUN step's container, made from the runtime's own pieces.

A build container is an ordinary Docker container: Docker's default capabilities, masked
and read-only /proc paths, the default seccomp profile, no_new_privs, and its own pid, ipc,
uts, mount, cgroup and network namespaces. Its network namespace has only ``lo``: builds
here are offline. (``sandbox.engine.specgen`` makes the same kind of spec for ``docker
run``; it lives above this package, so the few lines are made here again.)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sandbox.errors import BuildError
from sandbox.runtime.spec import Overlay, Spec

DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
_NAMESPACES = ("pid", "network", "ipc", "uts", "mount", "cgroup")


@dataclass(frozen=True)
class RunRequest:
    args: list[str]
    env: list[str]
    cwd: str
    user: str
    hostname: str
    passwd: str | None = None
    """The image's /etc/passwd text: needed only when USER is a name."""
    group: str | None = None


def table_rows(text: str | None) -> list[list[str]]:
    """The colon-separated rows of /etc/passwd or /etc/group text."""
    lines = (text or "").splitlines()
    return [line.split(":") for line in lines if line.strip() and not line.startswith("#")]


def resolve_ids(user: str, passwd: str | None, group: str | None) -> tuple[int, int]:
    """``name``, ``uid``, ``name:group``, ``uid:gid``: a numeric uid the image does not know
    is fine (gid 0), an unknown name is an error, as with runc."""
    name, _, grp = (user or "0").partition(":")
    rows = [r for r in table_rows(passwd) if len(r) >= 4]
    entry = next((r for r in rows if r[0] == name or (name.isdigit() and r[2] == name)), None)
    if entry is not None and entry[2].isdigit() and entry[3].isdigit():
        uid, gid = int(entry[2]), int(entry[3])
    elif name.isdigit():
        uid, gid = int(name), 0
    else:
        raise BuildError(f"unable to find user {name}: no matching entries in passwd file",
                         "use a numeric uid[:gid] with USER, or a name the image's /etc/passwd has")
    if grp:
        if grp.isdigit():
            gid = int(grp)
        else:
            found = [r for r in table_rows(group) if len(r) >= 3 and r[0] == grp and r[2].isdigit()]
            if not found:
                raise BuildError(f"unable to find group {grp}: no matching entries in group file")
            gid = int(found[0][2])
    return uid, gid


def container_spec(req: RunRequest, rootfs: Overlay | Path) -> Spec:
    from sandbox.runtime.seccomp import default_profile
    from sandbox.runtime.security import DEFAULT_CAPABILITIES, DEFAULT_MASKED_PATHS, DEFAULT_READONLY_PATHS
    from sandbox.runtime.spec import parse_spec, runc_default_spec

    uid, gid = resolve_ids(req.user, req.passwd, req.group)
    caps = list(DEFAULT_CAPABILITIES)
    env = list(req.env)
    if not any(e.startswith("PATH=") for e in env):
        env.insert(0, DEFAULT_PATH)
    cfg: dict[str, Any] = runc_default_spec(req.args)
    cfg["process"].update({
        "env": env, "cwd": req.cwd or "/", "user": {"uid": uid, "gid": gid},
        "capabilities": {"bounding": caps, "effective": caps, "permitted": caps,
                         "inheritable": [], "ambient": []},
        "noNewPrivileges": True,
    })
    cfg["hostname"] = req.hostname
    cfg["root"] = {"path": str(rootfs) if isinstance(rootfs, Path) else "/", "readonly": False}
    cfg["linux"].update({
        "namespaces": [{"type": t} for t in _NAMESPACES],
        "maskedPaths": list(DEFAULT_MASKED_PATHS),
        "readonlyPaths": list(DEFAULT_READONLY_PATHS),
        "seccomp": default_profile(),
    })
    spec = parse_spec(cfg, Path("/"))
    if isinstance(rootfs, Overlay):
        spec.overlay = rootfs
    return spec
