"""Linux capabilities: names and numbers, the five sets, and the prctls around them.

A process has five capability sets (capabilities(7)):

- **bounding**: the ceiling. A capability dropped from it can never come back, not even
  through a setuid-root or file-capability exec. Dropping needs CAP_SETPCAP.
- **permitted**: what the process may put in its effective set.
- **effective**: what the kernel checks right now.
- **inheritable**: what may pass to a program through an exec (with file capabilities).
- **ambient**: what passes through an exec of an ordinary program by a non-root user;
  a capability can only be ambient while it is permitted and inheritable.

Everything here is one system call deep. Calls that change the kernel's view of us take a
``tracer`` and emit one record per call (not per capability) so the trace shows the step
a learner would look for: ``capbset.drop caps=[CAP_SYS_ADMIN, …]``.
"""

from __future__ import annotations

import os

from sandbox.errors import CapabilityUnknown, SyscallError
from sandbox.linux.trace import NULL_TRACER, Tracer
from sandbox.records import Record

# Not typing.TYPE_CHECKING: importing typing is part of every container start.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

NAMES: tuple[str, ...] = (
    "CAP_CHOWN",              # 0
    "CAP_DAC_OVERRIDE",       # 1
    "CAP_DAC_READ_SEARCH",    # 2
    "CAP_FOWNER",             # 3
    "CAP_FSETID",             # 4
    "CAP_KILL",               # 5
    "CAP_SETGID",             # 6
    "CAP_SETUID",             # 7
    "CAP_SETPCAP",            # 8
    "CAP_LINUX_IMMUTABLE",    # 9
    "CAP_NET_BIND_SERVICE",   # 10
    "CAP_NET_BROADCAST",      # 11
    "CAP_NET_ADMIN",          # 12
    "CAP_NET_RAW",            # 13
    "CAP_IPC_LOCK",           # 14
    "CAP_IPC_OWNER",          # 15
    "CAP_SYS_MODULE",         # 16
    "CAP_SYS_RAWIO",          # 17
    "CAP_SYS_CHROOT",         # 18
    "CAP_SYS_PTRACE",         # 19
    "CAP_SYS_PACCT",          # 20
    "CAP_SYS_ADMIN",          # 21
    "CAP_SYS_BOOT",           # 22
    "CAP_SYS_NICE",           # 23
    "CAP_SYS_RESOURCE",       # 24
    "CAP_SYS_TIME",           # 25
    "CAP_SYS_TTY_CONFIG",     # 26
    "CAP_MKNOD",              # 27
    "CAP_LEASE",              # 28
    "CAP_AUDIT_WRITE",        # 29
    "CAP_AUDIT_CONTROL",      # 30
    "CAP_SETFCAP",            # 31
    "CAP_MAC_OVERRIDE",       # 32
    "CAP_MAC_ADMIN",          # 33
    "CAP_SYSLOG",             # 34
    "CAP_WAKE_ALARM",         # 35
    "CAP_BLOCK_SUSPEND",      # 36
    "CAP_AUDIT_READ",         # 37
    "CAP_PERFMON",            # 38
    "CAP_BPF",                # 39
    "CAP_CHECKPOINT_RESTORE",  # 40
)
"""Capability names indexed by number, as in <linux/capability.h>."""

NUMBERS: dict[str, int] = {name: number for number, name in enumerate(NAMES)}
CAPS = NUMBERS
"""Another name for NUMBERS (name -> number), for callers that think of it as the table."""

PR_GET_KEEPCAPS = 7
PR_SET_KEEPCAPS = 8
PR_CAPBSET_READ = 23
PR_CAPBSET_DROP = 24
PR_SET_NO_NEW_PRIVS = 38
PR_GET_NO_NEW_PRIVS = 39
PR_CAP_AMBIENT = 47
PR_CAP_AMBIENT_IS_SET = 1
PR_CAP_AMBIENT_RAISE = 2
PR_CAP_AMBIENT_LOWER = 3
PR_CAP_AMBIENT_CLEAR_ALL = 4

_LINUX_CAPABILITY_VERSION_3 = 0x20080522
"""Version 3 of the capget/capset ABI: two 32-bit words per set, room for 64 capabilities."""


# -- names and numbers ------------------------------------------------------------------------

def number(name: str) -> int:
    """``"CAP_CHOWN"`` -> 0. Also accepts the name without the ``CAP_`` prefix, any case."""
    key = name.upper()
    if not key.startswith("CAP_"):
        key = "CAP_" + key
    try:
        return NUMBERS[key]
    except KeyError:
        raise CapabilityUnknown(name) from None


def name(cap: int) -> str:
    """0 -> ``"CAP_CHOWN"``; a number this table does not know -> ``"CAP_<n>"``."""
    return NAMES[cap] if 0 <= cap < len(NAMES) else f"CAP_{cap}"


def names(caps: set[int] | frozenset[int]) -> list[str]:
    """Sorted by number, which is how /proc and capsh list them."""
    return [name(c) for c in sorted(caps)]


def to_mask(caps: set[int] | frozenset[int]) -> int:
    mask = 0
    for c in caps:
        mask |= 1 << c
    return mask


def from_mask(mask: int) -> set[int]:
    return {bit for bit in range(mask.bit_length()) if mask >> bit & 1}


_last_cap: int | None = None


def last_cap() -> int:
    """The highest capability this kernel knows (40 on 5.9 and later).

    Read once: the kernel's table cannot change while we run. Without /proc (a container's
    init after pivot_root may not have it yet) it is found the way libcap does: the
    bounding-set query answers EINVAL for a number past the last capability.
    """
    global _last_cap
    if _last_cap is None:
        try:
            with open("/proc/sys/kernel/cap_last_cap", "rb") as f:
                _last_cap = int(f.read())
        except (OSError, ValueError):
            _last_cap = _probe_last_cap()
    return _last_cap


def _probe_last_cap() -> int:
    lo, hi = 0, 63
    while lo < hi:
        mid = (lo + hi + 1) // 2
        try:
            _prctl(PR_CAPBSET_READ, mid, call="prctl(PR_CAPBSET_READ)")
            lo = mid
        except SyscallError:
            hi = mid - 1
    return lo


# -- ctypes plumbing --------------------------------------------------------------------------

_libc: Any = None
_structs: tuple[Any, Any] | None = None


def _lib() -> Any:
    """libc, loaded on first use: importing ctypes costs milliseconds we don't spend at import."""
    global _libc
    if _libc is None:
        import ctypes

        _libc = ctypes.CDLL(None, use_errno=True)
    return _libc


def _errno() -> int:
    import ctypes

    return ctypes.get_errno()


def _cap_structs() -> tuple[Any, Any]:
    global _structs
    if _structs is None:
        import ctypes

        class Header(ctypes.Structure):
            _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

        class Data(ctypes.Structure):
            _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                        ("inheritable", ctypes.c_uint32)]

        _structs = (Header, Data)
    return _structs


def _prctl(option: int, arg2: int = 0, arg3: int = 0, call: str = "prctl") -> int:
    import ctypes

    ret = _lib().prctl(ctypes.c_int(option), ctypes.c_ulong(arg2), ctypes.c_ulong(arg3),
                       ctypes.c_ulong(0), ctypes.c_ulong(0))
    if ret == -1:
        raise SyscallError(call, _errno())
    return int(ret)


# -- the sets ---------------------------------------------------------------------------------

class CapSets(Record, frozen=True):
    """The three sets capget(2) reports, as capability numbers."""

    effective: frozenset[int]
    permitted: frozenset[int]
    inheritable: frozenset[int]


def capget(pid: int = 0) -> CapSets:
    """The effective, permitted and inheritable sets of ``pid`` (0: the calling thread)."""
    import ctypes

    Header, Data = _cap_structs()
    hdr = Header(_LINUX_CAPABILITY_VERSION_3, pid)
    data = (Data * 2)()
    if _lib().capget(ctypes.byref(hdr), data) == -1:
        raise SyscallError("capget", _errno(), str(pid) if pid else None)

    def word(field: str) -> frozenset[int]:
        return frozenset(from_mask(getattr(data[0], field) | getattr(data[1], field) << 32))

    return CapSets(word("effective"), word("permitted"), word("inheritable"))


def capset(effective: set[int] | frozenset[int], permitted: set[int] | frozenset[int],
           inheritable: set[int] | frozenset[int], tracer: Tracer = NULL_TRACER) -> None:
    """Set the calling thread's three sets at once.

    The kernel refuses (EPERM) to add to ``permitted``, to make ``effective`` larger than
    the new ``permitted``, or to add to ``inheritable`` what is outside the bounding set
    (without CAP_SETPCAP, also outside ``permitted``). Shrinking always works.
    """
    import ctypes

    Header, Data = _cap_structs()
    hdr = Header(_LINUX_CAPABILITY_VERSION_3, 0)
    data = (Data * 2)()
    for field, caps in (("effective", effective), ("permitted", permitted), ("inheritable", inheritable)):
        mask = to_mask(set(caps))
        setattr(data[0], field, mask & 0xFFFFFFFF)
        setattr(data[1], field, mask >> 32 & 0xFFFFFFFF)
    ret = _lib().capset(ctypes.byref(hdr), data)
    err = _errno() if ret == -1 else 0
    tracer.emit("capset", error=os.strerror(err) if err else None, effective=names(set(effective)),
                permitted=names(set(permitted)), inheritable=names(set(inheritable)))
    if ret == -1:
        raise SyscallError("capset", err,
                           hint="a set can only shrink unless the capability is still permitted")


# -- the bounding set -------------------------------------------------------------------------

def bounding_set() -> set[int]:
    """What is left in the calling thread's bounding set (PR_CAPBSET_READ per capability)."""
    return {c for c in range(last_cap() + 1) if _prctl(PR_CAPBSET_READ, c, call="prctl(PR_CAPBSET_READ)")}


def drop_bounding(keep: set[int] | frozenset[int], tracer: Tracer = NULL_TRACER) -> list[int]:
    """Drop every capability this kernel knows, except ``keep``, from the bounding set.

    Needs CAP_SETPCAP in the effective set, so it runs before capset() takes that away.
    Returns the capabilities it dropped (those already gone are skipped: dropping is
    idempotent, but reading first keeps the trace honest).
    """
    dropped: list[int] = []
    for cap in range(last_cap() + 1):
        if cap in keep:
            continue
        if not _prctl(PR_CAPBSET_READ, cap, call="prctl(PR_CAPBSET_READ)"):
            continue
        try:
            _prctl(PR_CAPBSET_DROP, cap, call="prctl(PR_CAPBSET_DROP)")
        except SyscallError as e:
            tracer.emit("capbset.drop", error=os.strerror(e.errno), caps=names(set(dropped) | {cap}))
            e.path = name(cap)
            e.hint = "dropping from the bounding set needs CAP_SETPCAP"
            raise
        dropped.append(cap)
    tracer.emit("capbset.drop", caps=names(set(dropped)), kept=names(set(keep)))
    return dropped


# -- ambient ----------------------------------------------------------------------------------

def ambient_is_set(cap: int) -> bool:
    return bool(_prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, cap, call="prctl(PR_CAP_AMBIENT_IS_SET)"))


def clear_ambient(tracer: Tracer = NULL_TRACER) -> None:
    _prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, call="prctl(PR_CAP_AMBIENT_CLEAR_ALL)")
    tracer.emit("capamb.clear")


def raise_ambient(caps: set[int] | frozenset[int], tracer: Tracer = NULL_TRACER) -> None:
    """Raise each capability in the ambient set.

    The kernel allows it only for capabilities both permitted and inheritable (EPERM
    otherwise), so capset() must have put them there first.
    """
    raised: list[int] = []
    for cap in sorted(caps):
        try:
            _prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, call="prctl(PR_CAP_AMBIENT_RAISE)")
        except SyscallError as e:
            tracer.emit("capamb.raise", error=os.strerror(e.errno), caps=names(set(raised) | {cap}))
            e.path = name(cap)
            e.hint = "an ambient capability must also be permitted and inheritable"
            raise
        raised.append(cap)
    tracer.emit("capamb.raise", caps=names(set(raised)))


# -- prctl flags around a uid change and exec -------------------------------------------------

def set_keepcaps(keep: bool, tracer: Tracer = NULL_TRACER) -> None:
    """PR_SET_KEEPCAPS: whether the permitted set survives a switch from uid 0 to another uid.

    Without it, setresuid() away from root empties permitted and effective, and capset()
    afterwards could not give anything back. The kernel clears the flag again at exec.
    """
    _prctl(PR_SET_KEEPCAPS, int(keep), call="prctl(PR_SET_KEEPCAPS)")
    tracer.emit("prctl", option="PR_SET_KEEPCAPS", value=int(keep))


def get_keepcaps() -> bool:
    return bool(_prctl(PR_GET_KEEPCAPS, call="prctl(PR_GET_KEEPCAPS)"))


def set_no_new_privs(tracer: Tracer = NULL_TRACER) -> None:
    """PR_SET_NO_NEW_PRIVS: exec can never grant more privileges than we have now.

    setuid bits and file capabilities stop working for us and every descendant; the flag
    cannot be unset. It also lets an unprivileged process install a seccomp filter, since
    the filter can no longer confuse a more privileged program it would exec.
    """
    _prctl(PR_SET_NO_NEW_PRIVS, 1, call="prctl(PR_SET_NO_NEW_PRIVS)")
    tracer.emit("prctl", option="PR_SET_NO_NEW_PRIVS", value=1)


def get_no_new_privs() -> bool:
    return bool(_prctl(PR_GET_NO_NEW_PRIVS, call="prctl(PR_GET_NO_NEW_PRIVS)"))


# -- /proc ------------------------------------------------------------------------------------

_STATUS_KEYS = ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")


def read_status_caps(pid: int | str = "self") -> dict[str, int]:
    """The five masks from /proc/PID/status: ``{"CapEff": 0xa80425fb, …}``."""
    path = f"/proc/{pid}/status"
    try:
        with open(path, "rb") as f:
            text = f.read().decode()
    except OSError as e:
        raise SyscallError("open", e.errno or 0, path) from e
    out: dict[str, int] = {}
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key in _STATUS_KEYS:
            out[key] = int(value.strip(), 16)
    return out
