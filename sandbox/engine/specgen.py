"""Turn an image's config plus run options into the runtime's spec, as dockerd does.

Containers get Docker's defaults: its capability set, masked and read-only /proc and /sys
paths, the default seccomp profile, no_new_privs, and their own pid, network, ipc, uts,
mount and cgroup namespaces (unless ``--pid``/``--network`` share the host's or another
container's).

User names are resolved the way runc does it for Docker: ``name``, ``uid``, ``name:group``,
``uid:gid`` (any mix) looked up in the container's own /etc/passwd and /etc/group, which the
caller reads from the container's layers and hands over as text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sandbox.errors import SandboxError
from sandbox.runtime.spec import Overlay, Spec, parse_spec

DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


class UserUnknown(SandboxError):
    """``--user NAME`` names nobody in the container's /etc/passwd (or group in /etc/group)."""

    def __init__(self, user: str, what: str = "user", table: str = "passwd") -> None:
        self.user = user
        super().__init__(f"unable to find {what} {user}: no matching entries in {table} file",
                         "use a numeric uid[:gid], or a name the image's /etc/passwd has")


class NoCommand(SandboxError):
    def __init__(self) -> None:
        super().__init__("No command specified", "give one after the image name, or set CMD in the image")


@dataclass(frozen=True)
class BindMount:
    """A host file or directory bound into the container (/etc/hostname, /etc/hosts …)."""

    destination: str
    source: str
    readonly: bool = False


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
    memory_swap: int | None = None
    cpu_quota: int | None = None
    cpu_period: int | None = None
    cpu_shares: int | None = None
    pids_limit: int | None = None
    readonly_rootfs: bool = False
    console_size: tuple[int, int] | None = None
    """(rows, cols) of the terminal when ``tty``."""
    cap_add: list[str] = field(default_factory=list)
    cap_drop: list[str] = field(default_factory=list)
    privileged: bool = False
    mounts: list[BindMount] = field(default_factory=list)
    extra_mounts: list[dict[str, Any]] = field(default_factory=list)
    """OCI mount entries added after ``mounts``: volumes, binds and tmpfs of ``-v``/``--mount``."""
    netns: str | None = None
    """A network namespace to join (``/proc/PID/ns/net``, ``--network container:X``); None: a
    new one of its own."""
    host_network: bool = False
    """``--network host``: no network namespace at all, the host's interfaces are seen."""
    pidns: str | None = None
    """A pid namespace to join (``/proc/PID/ns/pid``, ``--pid container:X``); None: a new one."""
    host_pid: bool = False
    """``--pid host``: no pid namespace of its own. The /proc the container mounts then shows
    every process of the host, since a proc mount lists the pid namespace of whoever mounts it."""
    host_ipc: bool = False
    """``--ipc host``: the host's System V IPC objects and POSIX message queues, and the host's
    /dev/shm bound in place of a tmpfs of its own."""
    host_uts: bool = False
    """``--uts host``: the host's hostname and domain name; the container sets none."""
    cgroups_path: str | None = None
    passwd: str | None = None
    """The container's /etc/passwd text: needed only for user names."""
    group: str | None = None
    """The container's /etc/group text: group names and supplementary groups."""


@dataclass(frozen=True)
class UserIds:
    uid: int
    gid: int
    additional_gids: tuple[int, ...] = ()


def _table(text: str | None) -> list[list[str]]:
    rows = []
    for line in (text or "").splitlines():
        if line.strip() and not line.startswith("#"):
            rows.append(line.split(":"))
    return rows


def resolve_user(spec_user: str | None, passwd: str | None = None, group: str | None = None) -> UserIds:
    """``user[:group]`` -> ids, like runc's GetExecUser: a numeric uid that passwd lacks is
    fine (gid 0); a name that passwd lacks is an error. Supplementary groups come from
    /etc/group membership of the user's name."""
    if not spec_user:
        spec_user = "0"
    user, _, grp = spec_user.partition(":")
    entry: list[str] | None = None
    for row in _table(passwd):
        if len(row) >= 4 and (row[0] == user or (user.isdigit() and row[2] == user)):
            entry = row
            break
    if entry is not None and entry[2].isdigit() and entry[3].isdigit():
        uid, gid, name = int(entry[2]), int(entry[3]), entry[0]
    elif user.isdigit():
        uid, gid, name = int(user), 0, None
    else:
        raise UserUnknown(user)
    if grp:
        if grp.isdigit():
            gid = int(grp)
        else:
            found = [r for r in _table(group) if len(r) >= 3 and r[0] == grp and r[2].isdigit()]
            if not found:
                raise UserUnknown(grp, "group", "group")
            gid = int(found[0][2])
    extra: list[int] = []
    if name is not None:
        for row in _table(group):
            if len(row) >= 4 and row[2].isdigit() and name in row[3].split(","):
                g = int(row[2])
                if g != gid and g not in extra:
                    extra.append(g)
    return UserIds(uid, gid, tuple(extra))


def _capabilities(opts: RunOptions) -> list[str]:
    from sandbox.linux.caps import NAMES, last_cap
    from sandbox.runtime.security import DEFAULT_CAPABILITIES

    every = list(NAMES[:last_cap() + 1])
    if opts.privileged:
        return every

    def norm(name: str) -> str:
        name = name.upper()
        return name if name.startswith("CAP_") or name == "ALL" else "CAP_" + name

    adds = [norm(c) for c in opts.cap_add]
    drops = [norm(c) for c in opts.cap_drop]
    caps = every if "ALL" in adds else list(DEFAULT_CAPABILITIES)
    caps += [c for c in adds if c != "ALL" and c not in caps]
    if "ALL" in drops:
        return [c for c in adds if c != "ALL"]
    return [c for c in caps if c not in drops]


def _namespaces(opts: RunOptions) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for t in ("pid", "network", "ipc", "uts", "mount", "cgroup"):
        if t == "network" and opts.host_network:
            continue  # no namespace: the process stays in the host's, as dockerd's host mode
        if (t == "pid" and opts.host_pid) or (t == "ipc" and opts.host_ipc) or (t == "uts" and opts.host_uts):
            continue
        if t == "network" and opts.netns:
            out.append({"type": t, "path": opts.netns})
        elif t == "pid" and opts.pidns:
            out.append({"type": t, "path": opts.pidns})
        else:
            out.append({"type": t})
    return out


def build(image_config: dict[str, Any], opts: RunOptions, rootfs: Overlay | Path) -> Spec:
    """``image_config`` is the OCI image config's ``config`` object (Env, Cmd, …)."""
    from sandbox.runtime.seccomp import default_profile
    from sandbox.runtime.security import DEFAULT_MASKED_PATHS, DEFAULT_READONLY_PATHS
    from sandbox.runtime.spec import runc_default_spec

    entry = opts.entrypoint if opts.entrypoint is not None else list(image_config.get("Entrypoint") or [])
    cmd = opts.args or list(image_config.get("Cmd") or [])
    args = entry + cmd
    if not args:
        raise NoCommand()
    env = list(image_config.get("Env") or [DEFAULT_PATH])
    keys = {e.partition("=")[0] for e in env + opts.env}
    if opts.hostname and "HOSTNAME" not in keys:
        env.append(f"HOSTNAME={opts.hostname}")
    if opts.tty and "TERM" not in keys:
        env.append("TERM=xterm")
    env += opts.env
    cfg = runc_default_spec(args, terminal=opts.tty)
    caps = _capabilities(opts)
    ids = resolve_user(opts.user or image_config.get("User"), opts.passwd, opts.group)
    user: dict[str, Any] = {"uid": ids.uid, "gid": ids.gid}
    if ids.additional_gids:
        user["additionalGids"] = list(ids.additional_gids)
    cfg["process"].update({
        "env": env, "cwd": opts.workdir or image_config.get("WorkingDir") or "/",
        "user": user,
        "capabilities": {"bounding": caps, "effective": caps, "permitted": caps, "inheritable": [],
                         "ambient": []},
        "noNewPrivileges": not opts.privileged,
    })
    if opts.tty and opts.console_size:
        cfg["process"]["consoleSize"] = {"height": opts.console_size[0], "width": opts.console_size[1]}
    # Without a uts namespace of its own, a hostname would be the host's to change.
    cfg["hostname"] = None if opts.host_uts else opts.hostname or None
    cfg["root"] = {"path": str(rootfs) if isinstance(rootfs, Path) else "/", "readonly": opts.readonly_rootfs}
    for m in opts.mounts:
        cfg["mounts"].append({"destination": m.destination, "type": "bind", "source": m.source,
                              "options": ["rbind", "rprivate"] + (["ro"] if m.readonly else [])})
    cfg["mounts"] += [dict(m) for m in opts.extra_mounts]
    if opts.host_ipc:
        # POSIX shared memory lives in /dev/shm: sharing the host's IPC means sharing it too.
        cfg["mounts"] = [m for m in cfg["mounts"] if m["destination"] != "/dev/shm"]
        cfg["mounts"].append({"destination": "/dev/shm", "type": "bind", "source": "/dev/shm",
                              "options": ["rbind", "rprivate"]})
    resources: dict[str, Any] = {}
    memory = {k: v for k, v in (("limit", opts.memory), ("swap", opts.memory_swap)) if v is not None}
    if memory:
        resources["memory"] = memory
    cpu: dict[str, int] = {}
    if opts.cpu_quota is not None:
        cpu.update({"quota": opts.cpu_quota, "period": opts.cpu_period or 100000})
    elif opts.cpu_period is not None:
        cpu["period"] = opts.cpu_period
    if opts.cpu_shares is not None:
        cpu["shares"] = opts.cpu_shares
    if cpu:
        resources["cpu"] = cpu
    if opts.pids_limit is not None:
        resources["pids"] = {"limit": opts.pids_limit}
    cfg["linux"].update({
        "namespaces": _namespaces(opts),
        # --privileged lifts the masks and the seccomp filter, as in Docker.
        "maskedPaths": [] if opts.privileged else list(DEFAULT_MASKED_PATHS),
        "readonlyPaths": [] if opts.privileged else list(DEFAULT_READONLY_PATHS),
        "resources": resources,
    })
    if not opts.privileged:
        cfg["linux"]["seccomp"] = default_profile()
    if opts.cgroups_path:
        cfg["linux"]["cgroupsPath"] = opts.cgroups_path
    if not opts.hostname:
        cfg.pop("hostname", None)
    spec = parse_spec(cfg, Path("/"))
    if isinstance(rootfs, Overlay):
        spec.overlay = rootfs
    return spec
