"""The OCI runtime spec (config.json): the subset we run, as records, strictly checked.

``parse_spec`` turns the JSON of a bundle into a ``Spec``; every problem is a ``SpecError``
whose ``field`` is the JSON path of the culprit ("linux.namespaces[2].type"), so a learner
sees one line saying what to fix. As the spec asks, keys we do not know are ignored, but a
known key of the wrong type is an error, never a silent default.

The engine builds ``Spec`` objects directly in Python; ``Spec.to_oci`` writes one back as
config.json, which ``parse_spec`` reads again unchanged.
"""

from __future__ import annotations

import os
from pathlib import Path

from sandbox.errors import SpecError
from sandbox.linux.caps import NUMBERS as _CAP_NUMBERS
from sandbox.linux.caps import number as cap_number
from sandbox.records import Record, field
from sandbox.runtime.resources import Resources

# Not typing.TYPE_CHECKING: importing typing is part of every container start.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

NAMESPACE_TYPES = ("pid", "network", "mount", "ipc", "uts", "cgroup")
_UNSUPPORTED_NAMESPACES = {
    "user": "user namespaces (uid mapping) are not supported by this runtime",
    "time": "time namespaces are not supported by this runtime",
}

RLIMITS: dict[str, int] = {
    "RLIMIT_CPU": 0, "RLIMIT_FSIZE": 1, "RLIMIT_DATA": 2, "RLIMIT_STACK": 3, "RLIMIT_CORE": 4,
    "RLIMIT_RSS": 5, "RLIMIT_NPROC": 6, "RLIMIT_NOFILE": 7, "RLIMIT_MEMLOCK": 8, "RLIMIT_AS": 9,
    "RLIMIT_LOCKS": 10, "RLIMIT_SIGPENDING": 11, "RLIMIT_MSGQUEUE": 12, "RLIMIT_NICE": 13,
    "RLIMIT_RTPRIO": 14, "RLIMIT_RTTIME": 15,
}
"""Resource names of setrlimit(2) and their numbers on Linux."""

_U32 = (1 << 32) - 1
_U64 = (1 << 64) - 1
_I64 = (1 << 63) - 1
_HOST_NAME_MAX = 64

# Sysctls the kernel keeps per namespace. Writing any other one from inside a container
# would change the host, so runc refuses them, and so do we.
_IPC_SYSCTLS = frozenset({"kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
                          "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced"})
_UTS_SYSCTLS = frozenset({"kernel.domainname", "kernel.hostname"})


# -- the model --------------------------------------------------------------------------------

class User(Record):
    uid: int = 0
    gid: int = 0
    additional_gids: list[int] = field(default_factory=list)
    umask: int | None = None


class Capabilities(Record):
    """Capability names ("CAP_CHOWN") per set; anything not listed is dropped."""

    bounding: list[str] = field(default_factory=list)
    effective: list[str] = field(default_factory=list)
    inheritable: list[str] = field(default_factory=list)
    permitted: list[str] = field(default_factory=list)
    ambient: list[str] = field(default_factory=list)

    @classmethod
    def same(cls, names: list[str], ambient: bool = False) -> Capabilities:
        """One list in every set, as Docker gives a container (ambient only if asked)."""
        return cls(bounding=list(names), effective=list(names), inheritable=[],
                   permitted=list(names), ambient=list(names) if ambient else [])

    def numbers(self, which: str) -> set[int]:
        """The capability numbers of one set: ``caps.numbers("bounding")``. A name the
        kernel's table lacks raises ``CapabilityUnknown`` (parse_spec has refused it already)."""
        return {cap_number(n) for n in getattr(self, which)}


class Rlimit(Record):
    type: str
    """"RLIMIT_NOFILE" and friends."""
    hard: int
    soft: int


class Process(Record):
    args: list[str]
    env: list[str] = field(default_factory=list)
    cwd: str = "/"
    terminal: bool = False
    user: User = field(default_factory=User)
    capabilities: Capabilities | None = None
    """None: the process keeps no capability at all."""
    no_new_privileges: bool = False
    rlimits: list[Rlimit] = field(default_factory=list)
    console_size: tuple[int, int] | None = None
    """(height, width) of the pty, for ``terminal``."""


class Root(Record):
    path: Path
    """Absolute: a relative ``root.path`` is resolved against the bundle."""
    readonly: bool = False


class Mount(Record):
    destination: str
    type: str | None = None
    source: str | None = None
    options: list[str] = field(default_factory=list)


class Namespace(Record):
    type: str
    """One of NAMESPACE_TYPES."""
    path: str | None = None
    """Join this existing namespace (``/proc/PID/ns/net``) instead of making a new one."""


class Overlay(Record):
    """Our extension: the runtime mounts the rootfs as an overlay inside the container's
    mount namespace, so the mount disappears with the container and never shows on the host."""

    lowerdirs: list[Path]
    """Topmost first, as overlayfs takes them."""
    upperdir: Path
    workdir: Path
    options: tuple[str, ...] = ()
    """Extra overlay options (``index=off`` …), as the image store wants its upper dirs."""

    def mount_data(self) -> str:
        """mount(2)'s data string. The kernel splits options at "," and lowerdir at ":",
        so both are escaped in paths."""
        def esc(p: Path) -> str:
            return str(p).replace("\\", "\\\\").replace(",", "\\,").replace(":", "\\:")

        opts = ["lowerdir=" + ":".join(esc(p) for p in self.lowerdirs),
                f"upperdir={esc(self.upperdir)}", f"workdir={esc(self.workdir)}", *self.options]
        return ",".join(opts)


class Linux(Record):
    namespaces: list[Namespace] = field(default_factory=list)
    resources: Resources = field(default_factory=Resources)
    masked_paths: list[str] = field(default_factory=list)
    readonly_paths: list[str] = field(default_factory=list)
    seccomp: dict[str, Any] | None = None
    """The raw OCI seccomp object, checked by ``seccomp.validate_profile``."""
    cgroups_path: str | None = None
    sysctl: dict[str, str] = field(default_factory=dict)
    uid_mappings: list[dict[str, int]] = field(default_factory=list)
    """Always empty: user namespaces are not supported, and parse_spec says so."""
    gid_mappings: list[dict[str, int]] = field(default_factory=list)


class Spec(Record):
    oci_version: str
    process: Process
    root: Root
    hostname: str | None = None
    mounts: list[Mount] = field(default_factory=list)
    linux: Linux = field(default_factory=Linux)
    annotations: dict[str, str] = field(default_factory=dict)
    overlay: Overlay | None = None

    def namespace_types(self) -> set[str]:
        return {ns.type for ns in self.linux.namespaces}

    def to_oci(self) -> dict[str, Any]:
        """The config.json document for this spec (the overlay extension is not part of it)."""
        return _to_oci(self)


# -- small typed readers; each names the field it reads -------------------------------------

def _kind(value: object) -> str:
    if value is None:
        return "null"
    names: dict[type, str] = {dict: "object", list: "list", str: "string"}
    return names.get(type(value)) or type(value).__name__


def _obj(value: object, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise SpecError(where, f"expected an object, got {_kind(value)}")
    return value


def _str(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise SpecError(where, f"expected a string, got {_kind(value)}")
    return value


def _opt_str(value: object, where: str) -> str | None:
    return None if value is None else _str(value, where)


def _bool(value: object, where: str) -> bool:
    if not isinstance(value, bool):
        raise SpecError(where, f"expected true or false, got {_kind(value)}")
    return value


def _int(value: object, where: str, lo: int = -_I64 - 1, hi: int = _U64) -> int:
    # JSON has no separate bool, but Python's bool is an int: true is not 1 here.
    if not isinstance(value, int) or isinstance(value, bool):
        raise SpecError(where, f"expected an integer, got {_kind(value)}")
    if not lo <= value <= hi:
        raise SpecError(where, f"{value} is out of range {lo}..{hi}")
    return value


def _str_list(value: object, where: str) -> list[str]:
    if not isinstance(value, list):
        raise SpecError(where, f"expected a list of strings, got {_kind(value)}")
    for i, item in enumerate(value):
        if not isinstance(item, str):
            raise SpecError(f"{where}[{i}]", f"expected a string, got {_kind(item)}")
    return list(value)


def _list(value: object, where: str, of: str = "objects") -> list[Any]:
    if not isinstance(value, list):
        raise SpecError(where, f"expected a list of {of}, got {_kind(value)}")
    return value


def _str_map(value: object, where: str) -> dict[str, str]:
    obj = _obj(value, where)
    for k, v in obj.items():
        if not isinstance(v, str):
            raise SpecError(f"{where}.{k}", f"expected a string, got {_kind(v)}")
    return dict(obj)


def _abs_path(value: object, where: str) -> str:
    path = _str(value, where)
    if not path.startswith("/"):
        raise SpecError(where, f"{path!r} is not an absolute path")
    return path


# -- process ----------------------------------------------------------------------------------

def _parse_user(value: object, where: str) -> User:
    obj = _obj(value, where)
    gids = obj.get("additionalGids")
    user = User(
        uid=_int(obj.get("uid", 0), f"{where}.uid", 0, _U32 - 1),
        gid=_int(obj.get("gid", 0), f"{where}.gid", 0, _U32 - 1),
        additional_gids=[_int(g, f"{where}.additionalGids[{i}]", 0, _U32 - 1)
                         for i, g in enumerate(_list(gids, f"{where}.additionalGids", "integers"))]
        if gids is not None else [],
    )
    if obj.get("umask") is not None:
        user.umask = _int(obj["umask"], f"{where}.umask", 0, 0o777)
    return user


def _parse_caps(value: object, where: str) -> Capabilities:
    obj = _obj(value, where)
    caps = Capabilities()
    for key in ("bounding", "effective", "inheritable", "permitted", "ambient"):
        raw = obj.get(key)
        if raw is None:
            continue
        names = _str_list(raw, f"{where}.{key}")
        for i, n in enumerate(names):
            if n not in _CAP_NUMBERS:
                raise SpecError(f"{where}.{key}[{i}]", f"unknown capability {n!r}",
                                "names look like CAP_NET_BIND_SERVICE; see capabilities(7)")
        setattr(caps, key, names)
    return caps


def _parse_rlimits(value: object, where: str) -> list[Rlimit]:
    out: list[Rlimit] = []
    seen: set[str] = set()
    for i, raw in enumerate(_list(value, where)):
        at = f"{where}[{i}]"
        obj = _obj(raw, at)
        kind = _str(obj.get("type"), f"{at}.type")
        if kind not in RLIMITS:
            raise SpecError(f"{at}.type", f"unknown resource {kind!r}",
                            "e.g. RLIMIT_NOFILE; see setrlimit(2)")
        if kind in seen:
            raise SpecError(f"{at}.type", f"{kind} is set twice")
        seen.add(kind)
        hard = _int(obj.get("hard"), f"{at}.hard", 0, _U64)
        soft = _int(obj.get("soft"), f"{at}.soft", 0, _U64)
        if soft > hard:
            raise SpecError(f"{at}.soft", f"soft limit {soft} is above the hard limit {hard}")
        out.append(Rlimit(kind, hard, soft))
    return out


def _parse_env(value: object, where: str) -> list[str]:
    env = _str_list(value, where)
    for i, entry in enumerate(env):
        name, eq, _ = entry.partition("=")
        if not eq or not name:
            raise SpecError(f"{where}[{i}]", f"{entry!r} is not of the form NAME=value")
    return env


def _parse_process(value: object) -> Process:
    where = "process"
    obj = _obj(value, where)
    if "args" not in obj:
        raise SpecError("process.args", "is required: the command to run")
    args = _str_list(obj["args"], "process.args")
    if not args:
        raise SpecError("process.args", "is empty: there is no command to run")
    proc = Process(args=args)
    if obj.get("env") is not None:
        proc.env = _parse_env(obj["env"], "process.env")
    if obj.get("cwd") is not None:
        proc.cwd = _abs_path(obj["cwd"], "process.cwd")
    if obj.get("terminal") is not None:
        proc.terminal = _bool(obj["terminal"], "process.terminal")
    if obj.get("user") is not None:
        proc.user = _parse_user(obj["user"], "process.user")
    if obj.get("capabilities") is not None:
        proc.capabilities = _parse_caps(obj["capabilities"], "process.capabilities")
    if obj.get("noNewPrivileges") is not None:
        proc.no_new_privileges = _bool(obj["noNewPrivileges"], "process.noNewPrivileges")
    if obj.get("rlimits") is not None:
        proc.rlimits = _parse_rlimits(obj["rlimits"], "process.rlimits")
    if obj.get("consoleSize") is not None:
        size = _obj(obj["consoleSize"], "process.consoleSize")
        proc.console_size = (_int(size.get("height"), "process.consoleSize.height", 0, _U32),
                             _int(size.get("width"), "process.consoleSize.width", 0, _U32))
    return proc


# -- root, mounts -----------------------------------------------------------------------------

def _parse_root(value: object, bundle: Path) -> Root:
    obj = _obj(value, "root")
    path = _str(obj.get("path"), "root.path")
    if not path:
        raise SpecError("root.path", "is empty", 'usually "rootfs", a directory in the bundle')
    # Relative to the bundle, as runc reads it; made absolute now because the runtime
    # changes directory (and root) long before it uses the path.
    root = Root(path=Path(os.path.abspath(os.path.join(bundle, path))))
    if obj.get("readonly") is not None:
        root.readonly = _bool(obj["readonly"], "root.readonly")
    return root


def _parse_mounts(value: object) -> list[Mount]:
    mounts: list[Mount] = []
    for i, raw in enumerate(_list(value, "mounts")):
        at = f"mounts[{i}]"
        obj = _obj(raw, at)
        if "destination" not in obj:
            raise SpecError(f"{at}.destination", "is required")
        m = Mount(destination=_abs_path(obj["destination"], f"{at}.destination"),
                  type=_opt_str(obj.get("type"), f"{at}.type"),
                  source=_opt_str(obj.get("source"), f"{at}.source"))
        if obj.get("options") is not None:
            m.options = _str_list(obj["options"], f"{at}.options")
        mounts.append(m)
    return mounts


# -- linux ------------------------------------------------------------------------------------

def _parse_namespaces(value: object) -> list[Namespace]:
    out: list[Namespace] = []
    seen: set[str] = set()
    for i, raw in enumerate(_list(value, "linux.namespaces")):
        at = f"linux.namespaces[{i}]"
        obj = _obj(raw, at)
        kind = _str(obj.get("type"), f"{at}.type")
        if kind in _UNSUPPORTED_NAMESPACES:
            raise SpecError(f"{at}.type", _UNSUPPORTED_NAMESPACES[kind],
                            f'remove the "{kind}" namespace; the container runs as real root, '
                            "with its capabilities reduced instead")
        if kind not in NAMESPACE_TYPES:
            raise SpecError(f"{at}.type", f"unknown namespace type {kind!r}",
                            "one of " + ", ".join(NAMESPACE_TYPES))
        if kind in seen:
            raise SpecError(f"{at}.type", f"the {kind} namespace is listed twice")
        seen.add(kind)
        path = obj.get("path")
        ns = Namespace(kind, _abs_path(path, f"{at}.path") if path else None)
        if kind == "mount" and ns.path:
            # The rootfs is built by mounting inside the container's mount namespace; doing
            # that in a namespace someone else uses would rearrange their files.
            raise SpecError(f"{at}.path", "joining an existing mount namespace is not supported",
                            "remove the path: the container gets a new mount namespace")
        out.append(ns)
    return out


def _nonneg_or_unset(value: int, where: str) -> int | None:
    if value < 0:
        raise SpecError(where, f"{value} is negative", "use a positive number of bytes, or leave it out")
    return value or None


def _parse_resources(value: object) -> Resources:
    where = "linux.resources"
    obj = _obj(value, where)
    kw: dict[str, int | None] = {}
    if obj.get("memory") is not None:
        mem = _obj(obj["memory"], f"{where}.memory")
        if mem.get("limit") is not None:
            # 0 means "no limit", as in runc.
            kw["memory_limit"] = _nonneg_or_unset(_int(mem["limit"], f"{where}.memory.limit"),
                                                  f"{where}.memory.limit")
        if mem.get("swap") is not None:
            swap = _int(mem["swap"], f"{where}.memory.swap")
            if swap < -1:
                raise SpecError(f"{where}.memory.swap", f"{swap} is negative",
                                "-1 means unlimited swap; otherwise give bytes of memory+swap")
            limit = kw.get("memory_limit")
            if swap > 0 and limit is not None and swap < limit:
                # OCI's swap is memory+swap, so it cannot be below the memory limit.
                raise SpecError(f"{where}.memory.swap",
                                f"{swap} is below the memory limit {limit}; it counts memory plus swap")
            kw["memory_swap"] = swap or None
    if obj.get("cpu") is not None:
        cpu = _obj(obj["cpu"], f"{where}.cpu")
        if cpu.get("period") is not None:
            period = _int(cpu["period"], f"{where}.cpu.period")
            # The kernel takes periods from 1 ms to 1 s (cfs_period_us).
            if not 1000 <= period <= 1_000_000:
                raise SpecError(f"{where}.cpu.period", f"{period} µs is outside 1000..1000000",
                                "the usual period is 100000 (100 ms)")
            kw["cpu_period"] = period
        if cpu.get("quota") is not None:
            quota = _int(cpu["quota"], f"{where}.cpu.quota")
            if quota < -1:
                raise SpecError(f"{where}.cpu.quota", f"{quota} is negative", "-1 means no quota")
            if 0 < quota < 1000:
                raise SpecError(f"{where}.cpu.quota", f"{quota} µs is below the kernel's minimum of 1000",
                                "quota/period is the share of a CPU: 20000/100000 is 0.2 CPU")
            kw["cpu_quota"] = quota if quota > 0 else None
        if cpu.get("shares") is not None:
            shares = _int(cpu["shares"], f"{where}.cpu.shares")
            if shares and not 2 <= shares <= 262144:
                raise SpecError(f"{where}.cpu.shares", f"{shares} is outside 2..262144",
                                "the default is 1024")
            kw["cpu_shares"] = shares or None
    if obj.get("pids") is not None:
        pids = _obj(obj["pids"], f"{where}.pids")
        if "limit" not in pids:
            raise SpecError(f"{where}.pids.limit", "is required when pids is given")
        # 0 or -1: no limit.
        kw["pids_limit"] = _int(pids["limit"], f"{where}.pids.limit")
    return Resources(**kw)


def _parse_sysctl(value: object, types: set[str]) -> dict[str, str]:
    sysctl = _str_map(value, "linux.sysctl")
    for key in sysctl:
        where = f"linux.sysctl.{key}"
        if key in _IPC_SYSCTLS or key.startswith("fs.mqueue."):
            need = "ipc"
        elif key.startswith("net."):
            need = "network"
        elif key in _UTS_SYSCTLS:
            need = "uts"
        else:
            raise SpecError(where, "is not namespaced: setting it would change the host",
                            "only net.*, fs.mqueue.* and the IPC kernel.* sysctls are allowed")
        if need not in types:
            raise SpecError(where, f"needs a private {need} namespace, or it would change the host's")
    return sysctl


def _parse_linux(value: object) -> Linux:
    obj = _obj(value, "linux")
    lx = Linux()
    if obj.get("namespaces") is not None:
        lx.namespaces = _parse_namespaces(obj["namespaces"])
    if obj.get("resources") is not None:
        lx.resources = _parse_resources(obj["resources"])
    for key, attr in (("maskedPaths", "masked_paths"), ("readonlyPaths", "readonly_paths")):
        if obj.get(key) is not None:
            paths = _str_list(obj[key], f"linux.{key}")
            for i, p in enumerate(paths):
                _abs_path(p, f"linux.{key}[{i}]")
            setattr(lx, attr, paths)
    if obj.get("seccomp") is not None:
        from sandbox.runtime.seccomp import validate_profile

        validate_profile(obj["seccomp"], "linux.seccomp")
        lx.seccomp = obj["seccomp"]
    if obj.get("cgroupsPath") is not None:
        lx.cgroups_path = _str(obj["cgroupsPath"], "linux.cgroupsPath") or None
    if obj.get("sysctl") is not None:
        lx.sysctl = _parse_sysctl(obj["sysctl"], {ns.type for ns in lx.namespaces})
    for key in ("uidMappings", "gidMappings"):
        if obj.get(key):
            _list(obj[key], f"linux.{key}")
            raise SpecError(f"linux.{key}", "id mappings need a user namespace, which is not supported",
                            f"remove linux.{key}")
    return lx


# -- the whole document -----------------------------------------------------------------------

def parse_spec(data: object, bundle: Path) -> Spec:
    """Check and convert the JSON of config.json (as ``json.load`` returns it)."""
    doc = _obj(data, "(document)")
    if "ociVersion" not in doc:
        raise SpecError("ociVersion", "is required", 'e.g. "1.0.2"')
    version = _str(doc["ociVersion"], "ociVersion")
    if "process" not in doc:
        raise SpecError("process", "is required: there is nothing to run")
    process = _parse_process(doc["process"])
    if "root" not in doc:
        raise SpecError("root", "is required", '"root": {"path": "rootfs"}')
    root = _parse_root(doc["root"], bundle)
    linux = _parse_linux(doc["linux"]) if doc.get("linux") is not None else Linux()
    types = {ns.type for ns in linux.namespaces}
    if "mount" not in types:
        raise SpecError("linux.namespaces", "a mount namespace is required",
                        'add {"type": "mount"}: the rootfs is set up in it, not on the host')
    hostname = _opt_str(doc.get("hostname"), "hostname") or None
    if hostname is not None:
        if "uts" not in types:
            raise SpecError("hostname", "setting a hostname needs a uts namespace",
                            'add {"type": "uts"} to linux.namespaces, or remove hostname')
        if len(hostname.encode()) > _HOST_NAME_MAX:
            raise SpecError("hostname", f"is longer than {_HOST_NAME_MAX} bytes")
    mounts = _parse_mounts(doc["mounts"]) if doc.get("mounts") is not None else []
    annotations = _str_map(doc["annotations"], "annotations") if doc.get("annotations") is not None else {}
    return Spec(oci_version=version, process=process, root=root, hostname=hostname, mounts=mounts,
                linux=linux, annotations=annotations)


def load_bundle(bundle: Path) -> Spec:
    """Read ``bundle/config.json``, check it, and check that the rootfs is there."""
    import json

    bundle = Path(bundle)
    path = bundle / "config.json"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError("config.json", f"{path} does not exist",
                        "create one with `sandbox runtime spec` in the bundle directory") from None
    except (OSError, UnicodeDecodeError) as e:
        raise SpecError("config.json", f"cannot read {path}: {e}") from e
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise SpecError("config.json", f"not valid JSON: line {e.lineno} column {e.colno}: {e.msg}") from None
    spec = parse_spec(data, bundle)
    if not spec.root.path.is_dir():
        raise SpecError("root.path", f"{spec.root.path} does not exist or is not a directory",
                        "unpack a root filesystem there, e.g. with `umoci unpack`")
    return spec


# -- writing ----------------------------------------------------------------------------------

def _to_oci(spec: Spec) -> dict[str, Any]:
    p = spec.process
    user: dict[str, Any] = {"uid": p.user.uid, "gid": p.user.gid}
    if p.user.additional_gids:
        user["additionalGids"] = list(p.user.additional_gids)
    if p.user.umask is not None:
        user["umask"] = p.user.umask
    process: dict[str, Any] = {"terminal": p.terminal, "user": user, "args": list(p.args),
                               "env": list(p.env), "cwd": p.cwd}
    if p.console_size is not None:
        process["consoleSize"] = {"height": p.console_size[0], "width": p.console_size[1]}
    if p.capabilities is not None:
        process["capabilities"] = {k: list(getattr(p.capabilities, k))
                                   for k in ("bounding", "effective", "inheritable", "permitted", "ambient")}
    if p.rlimits:
        process["rlimits"] = [{"type": r.type, "hard": r.hard, "soft": r.soft} for r in p.rlimits]
    process["noNewPrivileges"] = p.no_new_privileges
    doc: dict[str, Any] = {"ociVersion": spec.oci_version, "process": process,
                           "root": {"path": str(spec.root.path), "readonly": spec.root.readonly}}
    if spec.hostname is not None:
        doc["hostname"] = spec.hostname
    doc["mounts"] = [{k: v for k, v in (("destination", m.destination), ("type", m.type),
                                        ("source", m.source), ("options", list(m.options)))
                      if v is not None} for m in spec.mounts]
    lx = spec.linux
    linux: dict[str, Any] = {"namespaces": [{"type": n.type, **({"path": n.path} if n.path else {})}
                                            for n in lx.namespaces]}
    r = lx.resources
    res: dict[str, Any] = {}
    mem = {k: v for k, v in (("limit", r.memory_limit), ("swap", r.memory_swap)) if v is not None}
    cpu = {k: v for k, v in (("shares", r.cpu_shares), ("quota", r.cpu_quota), ("period", r.cpu_period))
           if v is not None}
    if mem:
        res["memory"] = mem
    if cpu:
        res["cpu"] = cpu
    if r.pids_limit is not None:
        res["pids"] = {"limit": r.pids_limit}
    if res:
        linux["resources"] = res
    if lx.cgroups_path:
        linux["cgroupsPath"] = lx.cgroups_path
    if lx.masked_paths:
        linux["maskedPaths"] = list(lx.masked_paths)
    if lx.readonly_paths:
        linux["readonlyPaths"] = list(lx.readonly_paths)
    if lx.sysctl:
        linux["sysctl"] = dict(lx.sysctl)
    if lx.seccomp is not None:
        linux["seccomp"] = lx.seccomp
    doc["linux"] = linux
    if spec.annotations:
        doc["annotations"] = dict(spec.annotations)
    return doc


def runc_default_spec(args: list[str] | None = None, terminal: bool = False) -> dict[str, Any]:
    """The document ``runc spec`` writes (runc 1.1), as a dict.

    ``runc spec`` itself writes ``"terminal": true`` and ``["sh"]``; pass ``terminal=True``
    for the identical document. Its defaults: three capabilities, a read-only rootfs,
    hostname "runc", no cgroup namespace, and the masked and read-only /proc paths.
    """
    caps = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
    return {
        "ociVersion": "1.0.2-dev",
        "process": {
            "terminal": terminal,
            "user": {"uid": 0, "gid": 0},
            "args": list(args) if args else ["sh"],
            "env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"],
            "cwd": "/",
            "capabilities": {k: list(caps) for k in ("bounding", "effective", "permitted", "ambient")},
            "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}],
            "noNewPrivileges": True,
        },
        "root": {"path": "rootfs", "readonly": True},
        "hostname": "runc",
        "mounts": [
            {"destination": "/proc", "type": "proc", "source": "proc"},
            {"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
             "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
            {"destination": "/dev/pts", "type": "devpts", "source": "devpts",
             "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
            {"destination": "/dev/shm", "type": "tmpfs", "source": "shm",
             "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
            {"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue",
             "options": ["nosuid", "noexec", "nodev"]},
            {"destination": "/sys", "type": "sysfs", "source": "sysfs",
             "options": ["nosuid", "noexec", "nodev", "ro"]},
            {"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
             "options": ["nosuid", "noexec", "nodev", "relatime", "ro"]},
        ],
        "linux": {
            "resources": {"devices": [{"allow": False, "access": "rwm"}]},
            "namespaces": [{"type": t} for t in ("pid", "network", "ipc", "uts", "mount")],
            "maskedPaths": ["/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
                            "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
                            "/proc/sched_debug", "/sys/firmware", "/proc/scsi"],
            "readonlyPaths": ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"],
        },
    }
