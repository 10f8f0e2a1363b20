"""Seccomp: which system calls a container may make, as an OCI seccomp profile.

A profile is the ``linux.seccomp`` object of config.json::

    {"defaultAction": "SCMP_ACT_ALLOW",
     "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
     "syscalls": [{"names": ["keyctl", "add_key"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}

Three steps, in three places:

- ``validate_profile`` checks the shape when the spec is parsed (pure Python, no libseccomp);
- ``compile_profile`` turns it into a BPF program with libseccomp, in the runtime's own
  process, once per distinct profile (a warm engine compiles the default profile once);
- ``CompiledFilter.load`` hands the ready program to the kernel in the container's init,
  right before exec. It is the last step because from then on the denied calls are gone
  for the init too.

The default profile is a denylist in the spirit of Docker's: everything is allowed except
the calls that reach outside the container's namespaces or widen the kernel's attack
surface. Docker's own profile is an allowlist of about 350 calls; a denylist is shorter
to read in a lesson, and it says plainly what is refused and why.
"""

from __future__ import annotations

import errno
import os

from sandbox.errors import SandboxError, SpecError, SyscallError
from sandbox.linux.trace import NULL_TRACER, Tracer
from sandbox.records import Record, field

# Not typing.TYPE_CHECKING: importing typing is part of every container start.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

ACTIONS: frozenset[str] = frozenset({
    "SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD",
    "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_TRAP", "SCMP_ACT_LOG",
})
_UNSUPPORTED_ACTIONS = {
    "SCMP_ACT_TRACE": "needs a ptrace supervisor, which this runtime does not run",
    "SCMP_ACT_NOTIFY": "needs a seccomp agent listening on a socket, which this runtime does not run",
}
OPS: frozenset[str] = frozenset({
    "SCMP_CMP_EQ", "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_GT", "SCMP_CMP_GE",
    "SCMP_CMP_MASKED_EQ",
})
ARCHITECTURES: dict[str, str] = {
    "SCMP_ARCH_X86": "X86", "SCMP_ARCH_X86_64": "X86_64", "SCMP_ARCH_X32": "X32",
    "SCMP_ARCH_ARM": "ARM", "SCMP_ARCH_AARCH64": "AARCH64",
    "SCMP_ARCH_MIPS": "MIPS", "SCMP_ARCH_MIPS64": "MIPS64", "SCMP_ARCH_MIPS64N32": "MIPS64N32",
    "SCMP_ARCH_MIPSEL": "MIPSEL", "SCMP_ARCH_MIPSEL64": "MIPSEL64",
    "SCMP_ARCH_MIPSEL64N32": "MIPSEL64N32", "SCMP_ARCH_PPC": "PPC", "SCMP_ARCH_PPC64": "PPC64",
    "SCMP_ARCH_PPC64LE": "PPC64LE", "SCMP_ARCH_S390": "S390", "SCMP_ARCH_S390X": "S390X",
    "SCMP_ARCH_PARISC": "PARISC", "SCMP_ARCH_PARISC64": "PARISC64", "SCMP_ARCH_RISCV64": "RISCV64",
}
"""OCI architecture names -> attribute names of ``seccomp.Arch``."""
FLAGS: dict[str, int] = {
    "SECCOMP_FILTER_FLAG_TSYNC": 1,
    "SECCOMP_FILTER_FLAG_LOG": 2,
    "SECCOMP_FILTER_FLAG_SPEC_ALLOW": 4,
}
"""Flags of seccomp(SECCOMP_SET_MODE_FILTER) a profile may ask for."""

_MAX_ERRNO = 4095
"""The kernel returns -errno from a syscall only for 1..4095; larger values look like results."""
_U64 = (1 << 64) - 1

# Namespace flags of clone(2); the default profile refuses clone when any of them is set.
_CLONE_NS_FLAGS = {
    "CLONE_NEWNS": 0x00020000, "CLONE_NEWCGROUP": 0x02000000, "CLONE_NEWUTS": 0x04000000,
    "CLONE_NEWIPC": 0x08000000, "CLONE_NEWUSER": 0x10000000, "CLONE_NEWPID": 0x20000000,
    "CLONE_NEWNET": 0x40000000,
}

_HOST_ARCHES = {
    "x86_64": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
    "aarch64": ["SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"],
    "s390x": ["SCMP_ARCH_S390X", "SCMP_ARCH_S390"],
    "ppc64le": ["SCMP_ARCH_PPC64LE"],
    "riscv64": ["SCMP_ARCH_RISCV64"],
}
"""The ABIs a host can run, as Docker lists them: a 64-bit x86 kernel also runs 32-bit and
x32 programs, and each ABI has its own syscall numbers the filter must cover."""


# -- the default profile ----------------------------------------------------------------------

def _deny(names: list[str], err: int = errno.EPERM) -> dict[str, Any]:
    return {"names": names, "action": "SCMP_ACT_ERRNO", "errnoRet": err}


def default_profile() -> dict[str, Any]:
    """The profile containers get unless their spec brings one. A fresh dict every call."""
    machine = os.uname().machine
    # s390 passes clone's flags in the second register; every other ABI in the first.
    clone_flags_arg = 1 if machine.startswith("s390") else 0
    syscalls = [
        # The kernel keyring is not namespaced: keys are per user, host-wide, so a
        # container could read or exhaust the keys of the same uid outside.
        _deny(["keyctl", "add_key", "request_key"]),
        # The mount table is how the runtime hid /proc/kcore and made /proc/sys read-only;
        # remounting or pivoting again would undo that. Both the classic calls and the new
        # mount API (fsopen & co.) are refused.
        _deny(["mount", "umount", "umount2", "pivot_root", "fsopen", "fsconfig", "fsmount",
               "fspick", "move_mount", "open_tree", "mount_setattr"]),
        # New namespaces are how a process changes what it can see; a new user namespace
        # would also hand it a full capability set to probe the kernel with. Entering
        # another namespace (setns) would leave the container outright.
        _deny(["unshare", "setns"]),
        # Host-wide machine state: rebooting, loading a new kernel, swap, accounting.
        _deny(["reboot", "kexec_load", "kexec_file_load", "swapon", "swapoff", "acct"]),
        # Kernel modules run in the kernel: nothing a container should touch.
        _deny(["init_module", "finit_module", "delete_module", "create_module",
               "get_kernel_syms", "query_module"]),
        # eBPF programs and perf events run code in, or read from, the whole kernel.
        _deny(["bpf", "perf_event_open"]),
        # open_by_handle_at opens a file by its inode handle, ignoring the mount namespace
        # and pivot_root: the classic way out of a container ("shocker").
        _deny(["open_by_handle_at", "name_to_handle_at"]),
        # The wall clock is not namespaced (time namespaces only offset the monotonic and
        # boot clocks): setting it changes it for the whole host.
        _deny(["settimeofday", "stime", "clock_settime", "clock_adjtime", "adjtimex"]),
        # userfaultfd lets a process pause the kernel mid-copy, the usual way to win
        # races in kernel exploits.
        _deny(["userfaultfd"]),
        # Raw I/O ports and old x86 modes: direct hardware access and rarely audited code.
        _deny(["iopl", "ioperm", "vm86", "vm86old"]),
        # The kernel log shows kernel addresses (defeating KASLR) and other tenants' events.
        _deny(["syslog"]),
        # Obsolete or host-wide calls no container needs: quotas, the old sysctl
        # interface, filesystem statistics by device, a.out libraries, the NFS daemon,
        # hanging up the terminal, profiling cookies.
        _deny(["quotactl", "_sysctl", "sysfs", "ustat", "uselib", "nfsservctl", "vhangup",
               "lookup_dcookie"]),
        # clone3 takes its flags in a struct in memory, which a seccomp filter cannot read
        # (BPF sees only the registers). ENOSYS makes libc fall back to clone(2), whose
        # flags are a register the rules below can check.
        _deny(["clone3"], errno.ENOSYS),
    ]
    # clone with any namespace flag: one rule per flag, since rules for the same call are
    # OR-ed while the conditions inside one rule are AND-ed.
    for flag in _CLONE_NS_FLAGS.values():
        syscalls.append({
            "names": ["clone"], "action": "SCMP_ACT_ERRNO", "errnoRet": errno.EPERM,
            "args": [{"index": clone_flags_arg, "value": flag, "valueTwo": flag,
                      "op": "SCMP_CMP_MASKED_EQ"}],
        })
    return {
        "defaultAction": "SCMP_ACT_ALLOW",
        "architectures": list(_HOST_ARCHES.get(machine, [])),
        "syscalls": syscalls,
    }


# -- validation -------------------------------------------------------------------------------

def _kind(value: object) -> str:
    if value is None:
        return "null"
    names: dict[type, str] = {dict: "object", list: "list", str: "string"}
    return names.get(type(value)) or type(value).__name__


def _int(value: object, where: str, lo: int, hi: int) -> int:
    # bool is an int to Python but not to JSON.
    if not isinstance(value, int) or isinstance(value, bool):
        raise SpecError(where, f"expected an integer, got {_kind(value)}")
    if not lo <= value <= hi:
        raise SpecError(where, f"{value} is out of range {lo}..{hi}")
    return value


def _action(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise SpecError(where, f"expected a string, got {_kind(value)}")
    if value in _UNSUPPORTED_ACTIONS:
        raise SpecError(where, f"{value} is not supported: {_UNSUPPORTED_ACTIONS[value]}",
                        "use SCMP_ACT_ERRNO or SCMP_ACT_KILL_PROCESS")
    if value not in ACTIONS:
        raise SpecError(where, f"unknown action {value!r}", "one of " + ", ".join(sorted(ACTIONS)))
    return value


def validate_profile(obj: object, field: str = "linux.seccomp") -> None:
    """Check an OCI seccomp object's shape; raise ``SpecError`` naming the bad field.

    Syscall names are not checked: they differ between architectures, and like runc we
    skip the ones libseccomp does not know when compiling.
    """
    if not isinstance(obj, dict):
        raise SpecError(field, f"expected an object, got {_kind(obj)}")
    if "defaultAction" not in obj:
        raise SpecError(f"{field}.defaultAction", "is required", 'e.g. "SCMP_ACT_ALLOW"')
    _action(obj["defaultAction"], f"{field}.defaultAction")
    if obj.get("defaultErrnoRet") is not None:
        _int(obj["defaultErrnoRet"], f"{field}.defaultErrnoRet", 1, _MAX_ERRNO)
    if obj.get("listenerPath"):
        raise SpecError(f"{field}.listenerPath", "seccomp agents are not supported",
                        "remove listenerPath and any SCMP_ACT_NOTIFY rule")
    for key, table in (("architectures", ARCHITECTURES), ("flags", FLAGS)):
        values = obj.get(key)
        if values is None:
            continue
        if not isinstance(values, list):
            raise SpecError(f"{field}.{key}", f"expected a list of strings, got {_kind(values)}")
        for i, v in enumerate(values):
            if v not in table:
                raise SpecError(f"{field}.{key}[{i}]", f"unknown value {v!r}",
                                "one of " + ", ".join(table))
    rules = obj.get("syscalls")
    if rules is None:
        return
    if not isinstance(rules, list):
        raise SpecError(f"{field}.syscalls", f"expected a list of objects, got {_kind(rules)}")
    for i, rule in enumerate(rules):
        _validate_rule(rule, f"{field}.syscalls[{i}]")


def _validate_rule(rule: object, where: str) -> None:
    if not isinstance(rule, dict):
        raise SpecError(where, f"expected an object, got {_kind(rule)}")
    names = rule.get("names")
    if not isinstance(names, list) or not names:
        raise SpecError(f"{where}.names", "expected a non-empty list of syscall names, got "
                        + (_kind(names) if names != [] else "an empty list"))
    for j, n in enumerate(names):
        if not isinstance(n, str) or not n:
            raise SpecError(f"{where}.names[{j}]", f"expected a syscall name, got {_kind(n)}")
    action = _action(rule.get("action"), f"{where}.action")
    if rule.get("errnoRet") is not None:
        if action != "SCMP_ACT_ERRNO":
            raise SpecError(f"{where}.errnoRet", f"only applies to SCMP_ACT_ERRNO, not {action}")
        _int(rule["errnoRet"], f"{where}.errnoRet", 1, _MAX_ERRNO)
    args = rule.get("args")
    if args is None:
        return
    if not isinstance(args, list):
        raise SpecError(f"{where}.args", f"expected a list of objects, got {_kind(args)}")
    for k, arg in enumerate(args):
        at = f"{where}.args[{k}]"
        if not isinstance(arg, dict):
            raise SpecError(at, f"expected an object, got {_kind(arg)}")
        # A syscall has at most six register arguments.
        _int(arg.get("index"), f"{at}.index", 0, 5)
        _int(arg.get("value"), f"{at}.value", 0, _U64)
        if arg.get("valueTwo") is not None:
            _int(arg["valueTwo"], f"{at}.valueTwo", 0, _U64)
        op = arg.get("op")
        if op not in OPS:
            raise SpecError(f"{at}.op", f"unknown comparison {op!r}", "one of " + ", ".join(sorted(OPS)))


# -- compiling --------------------------------------------------------------------------------

class CompiledFilter(Record, eq=False):
    """A profile turned into a BPF program, ready for the kernel.

    The program is built once, in the runtime's process, and so are the ctypes structures
    that point the kernel at it: forked children inherit them, and the container's init
    makes one system call to install the filter, without touching libseccomp.
    """

    digest: str
    """sha256 of the profile's canonical JSON: the cache key."""
    bpf: bytes
    """``struct sock_filter`` instructions, 8 bytes each, as the kernel takes them."""
    flags: int = 0
    """SECCOMP_FILTER_FLAG_* for seccomp(2)."""
    default_action: str = "SCMP_ACT_ALLOW"
    rules: int = 0
    """How many (syscall, rule) pairs made it into the filter."""
    skipped: tuple[str, ...] = ()
    """Syscall names libseccomp does not know, left out as runc does."""
    pfc: str = field(default="", repr=False)
    """libseccomp's pseudo-code listing of the same filter, for people to read."""
    _prepared: Any = field(default=None, init=False, repr=False)

    @property
    def instructions(self) -> int:
        return len(self.bpf) // 8

    def __getstate__(self) -> dict[str, Any]:
        # The prepared ctypes structures point into this process's memory (and a CDLL does
        # not pickle): another process (a fork server's shim) prepares its own.
        return {**self.__dict__, "_prepared": None}

    def prepare(self) -> None:
        """Build the ``struct sock_fprog`` now, in the parent, so that ``load`` in a forked
        child is a single system call."""
        if self._prepared is not None:
            return
        import ctypes

        class SockFprog(ctypes.Structure):
            _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

        program = ctypes.create_string_buffer(self.bpf, len(self.bpf))
        prog = SockFprog(self.instructions, ctypes.cast(program, ctypes.c_void_p))
        # `program` must stay referenced for as long as `prog` points into it.
        self._prepared = (ctypes.CDLL(None, use_errno=True), program, prog)

    def load(self, tracer: Tracer = NULL_TRACER) -> None:
        """Install the filter on the calling thread; it is inherited across fork and exec.

        The kernel accepts it only from a process with no_new_privs set or CAP_SYS_ADMIN
        in its user namespace: otherwise a filter could make a setuid program fail in
        unexpected places (a denied setuid() it does not check) and so be turned against
        it. Call it as late as possible, right before exec: after it, the init is bound
        by the filter too.
        """
        import ctypes

        self.prepare()
        libc, _, prog = self._prepared
        nr = _SYS_SECCOMP.get(os.uname().machine)
        if nr is not None:
            ret = libc.syscall(ctypes.c_long(nr), ctypes.c_uint(_SECCOMP_SET_MODE_FILTER),
                               ctypes.c_uint(self.flags), ctypes.byref(prog))
            call = "seccomp(SECCOMP_SET_MODE_FILTER)"
        elif not self.flags:
            # prctl's older form exists on every architecture but takes no flags.
            ret = libc.prctl(ctypes.c_int(_PR_SET_SECCOMP), ctypes.c_ulong(_SECCOMP_MODE_FILTER),
                             ctypes.byref(prog), ctypes.c_ulong(0), ctypes.c_ulong(0))
            call = "prctl(PR_SET_SECCOMP)"
        else:
            raise SyscallError("seccomp", errno.ENOSYS,
                               hint="filter flags need seccomp(2), unknown here; remove linux.seccomp.flags")
        err = ctypes.get_errno() if ret == -1 else 0
        tracer.emit("seccomp.load", error=os.strerror(err) if err else None,
                    default=self.default_action, rules=self.rules, instructions=self.instructions)
        if ret == -1:
            hint = ("set process.noNewPrivileges, or load the filter while CAP_SYS_ADMIN is held"
                    if err == errno.EACCES else None)
            raise SyscallError(call, err, hint=hint)


_SYS_SECCOMP = {"x86_64": 317, "aarch64": 277, "riscv64": 277, "s390x": 348, "ppc64le": 358}
_SECCOMP_SET_MODE_FILTER = 1
_PR_SET_SECCOMP = 22
_SECCOMP_MODE_FILTER = 2

_CACHE_SIZE = 16
_cache: dict[str, CompiledFilter] = {}


def profile_digest(profile: dict[str, Any]) -> str:
    """sha256 of the canonical JSON: the same profile in any key order has one digest."""
    import hashlib
    import json

    text = json.dumps(profile, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def compile_profile(profile: dict[str, Any]) -> CompiledFilter:
    """Validate and compile; the result is cached by the profile's digest."""
    validate_profile(profile)
    digest = profile_digest(profile)
    hit = _cache.get(digest)
    if hit is not None:
        return hit
    compiled = _compile(profile, digest)
    compiled.prepare()
    if len(_cache) >= _CACHE_SIZE:
        _cache.pop(next(iter(_cache)))
    _cache[digest] = compiled
    return compiled


def clear_cache() -> None:
    _cache.clear()


def _libseccomp() -> Any:
    try:
        import seccomp
    except ImportError as e:
        raise SandboxError(f"the libseccomp Python binding is not installed ({e})",
                           "apt-get install python3-seccomp") from e
    return seccomp


def _compile(profile: dict[str, Any], digest: str) -> CompiledFilter:
    sc = _libseccomp()
    field_ = "linux.seccomp"

    def action_of(name: str, err: int | None) -> Any:
        if name == "SCMP_ACT_ERRNO":
            return sc.ERRNO(err if err is not None else errno.EPERM)
        return {"SCMP_ACT_ALLOW": sc.ALLOW, "SCMP_ACT_KILL": sc.KILL, "SCMP_ACT_KILL_THREAD": sc.KILL,
                "SCMP_ACT_KILL_PROCESS": sc.KILL_PROCESS, "SCMP_ACT_TRAP": sc.TRAP,
                "SCMP_ACT_LOG": sc.LOG}[name]

    ops = {"SCMP_CMP_EQ": sc.EQ, "SCMP_CMP_NE": sc.NE, "SCMP_CMP_LT": sc.LT, "SCMP_CMP_LE": sc.LE,
           "SCMP_CMP_GT": sc.GT, "SCMP_CMP_GE": sc.GE, "SCMP_CMP_MASKED_EQ": sc.MASKED_EQ}
    default = action_of(profile["defaultAction"], profile.get("defaultErrnoRet"))
    filt = sc.SyscallFilter(default)
    # libseccomp would set no_new_privs itself when loading; we load the program ourselves
    # and the spec decides about no_new_privs, as with runc.
    filt.set_attr(sc.Attr.CTL_NNP, 0)
    for arch in profile.get("architectures") or []:
        a = getattr(sc.Arch, ARCHITECTURES[arch])
        if not filt.exist_arch(a):
            filt.add_arch(a)
    skipped: list[str] = []
    count = 0
    for i, rule in enumerate(profile.get("syscalls") or []):
        action = action_of(rule["action"], rule.get("errnoRet"))
        # libseccomp refuses a rule that repeats the default action; it would change nothing.
        if action == default:
            continue
        conds = [sc.Arg(a["index"], ops[a["op"]], a["value"], a.get("valueTwo") or 0)
                 for a in rule.get("args") or []]
        # libseccomp cannot AND two conditions on the same argument; runc then adds one
        # rule per condition (OR-ed), and so do we.
        indexes = [a["index"] for a in rule.get("args") or []]
        groups = [[c] for c in conds] if len(set(indexes)) < len(indexes) else [conds]
        for name in rule["names"]:
            if sc.resolve_syscall(sc.Arch.NATIVE, name) == -1:
                skipped.append(name)
                continue
            for group in groups:
                try:
                    filt.add_rule(action, name, *group)
                except RuntimeError as e:
                    raise SpecError(f"{field_}.syscalls[{i}]",
                                    f"libseccomp refused the rule for {name}: {e}") from e
                count += 1
    flags = 0
    for flag in profile.get("flags") or []:
        flags |= FLAGS[flag]
    return CompiledFilter(digest=digest, bpf=_export(filt, "export_bpf"), flags=flags,
                          default_action=profile["defaultAction"], rules=count,
                          skipped=tuple(dict.fromkeys(skipped)),
                          pfc=_export(filt, "export_pfc").decode())


def _export(filt: Any, method: str) -> bytes:
    # libseccomp writes to a file descriptor; an anonymous memory file avoids both a
    # temporary path and the pipe-buffer limit a large allowlist program could exceed.
    fd = os.memfd_create("seccomp", os.MFD_CLOEXEC)
    try:
        with os.fdopen(os.dup(fd), "wb") as out:
            getattr(filt, method)(out)
        size = os.lseek(fd, 0, os.SEEK_END)
        return os.pread(fd, size, 0)
    finally:
        os.close(fd)
