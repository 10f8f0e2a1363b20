"""The system calls the runtime needs, through ctypes, behind one interface.

``Syscalls`` is the interface (youki's ``Syscall`` trait). ``LinuxSyscalls`` makes the real
calls, raising ``SyscallError`` that names the call, the path and errno, and emits one
trace record per call. ``sandbox.linux.fake.RecordingSyscalls`` records the calls instead,
so namespace and rootfs code can be unit-tested without root.
"""

from __future__ import annotations

import ctypes
import os

from sandbox.errors import SyscallError
from sandbox.linux import mountflags
from sandbox.linux.trace import NULL_TRACER, Tracer

# Not typing.TYPE_CHECKING: importing typing is part of every container start.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Protocol
else:
    Protocol = object  # the interface is for type checkers; at run time a plain base

CLONE_NEWTIME = 0x00000080
CLONE_NEWNS = 0x00020000
CLONE_NEWCGROUP = 0x02000000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000

CLONE_NAMES = {
    CLONE_NEWNS: "CLONE_NEWNS", CLONE_NEWCGROUP: "CLONE_NEWCGROUP", CLONE_NEWUTS: "CLONE_NEWUTS",
    CLONE_NEWIPC: "CLONE_NEWIPC", CLONE_NEWUSER: "CLONE_NEWUSER", CLONE_NEWPID: "CLONE_NEWPID",
    CLONE_NEWNET: "CLONE_NEWNET", CLONE_NEWTIME: "CLONE_NEWTIME",
}

PR_SET_PDEATHSIG = 1
PR_SET_NAME = 15
PR_SET_CHILD_SUBREAPER = 36

_SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41}
_SYS_RT_SIGACTION = {"x86_64": 13, "aarch64": 134}
SIG_DFL, SIG_IGN = 0, 1


def set_signal_disposition(sig: int, handler: int) -> None:
    """``rt_sigaction(sig, {handler}, NULL)`` straight to the kernel, for the two real-time
    signals glibc keeps for itself (32 and 33): its sigaction() refuses them, and so does
    Python's signal module, yet an ignored one survives execve like any other."""
    nr = _SYS_RT_SIGACTION.get(os.uname().machine)
    if nr is None:
        raise SyscallError("rt_sigaction", 38, hint="unsupported architecture")
    # struct k_sigaction with every field zero but the handler; 8 is sizeof(sigset_t).
    act = ctypes.create_string_buffer(ctypes.c_ulong(handler).value.to_bytes(8, "little") + bytes(24))
    ret = libc().syscall(ctypes.c_long(nr), ctypes.c_int(sig), act, None, ctypes.c_size_t(8))
    _check(ret, "rt_sigaction", None)


def describe_clone(flags: int) -> str:
    return "|".join(name for bit, name in CLONE_NAMES.items() if flags & bit) or "0"


_libc: ctypes.CDLL | None = None


def libc() -> ctypes.CDLL:
    """libc, loaded on first use (never at import)."""
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
    return _libc


def _check(ret: int, call: str, path: str | None = None) -> int:
    if ret == -1:
        raise SyscallError(call, ctypes.get_errno(), path)
    return ret


def _b(s: str | bytes | None) -> bytes | None:
    return s.encode() if isinstance(s, str) else s


class Syscalls(Protocol):
    """What the runtime may ask of the kernel. Paths are strings, as the kernel sees them."""

    def unshare(self, flags: int) -> None: ...
    def setns(self, fd: int, nstype: int, path: str | None = None) -> None: ...
    def mount(self, source: str | None, target: str, fstype: str | None, flags: int = 0,
              data: str | None = None) -> None: ...
    def umount2(self, target: str, flags: int = 0) -> None: ...
    def pivot_root(self, new_root: str, put_old: str) -> None: ...
    def sethostname(self, name: str) -> None: ...
    def prctl(self, option: int, arg2: int = 0, arg3: int = 0, arg4: int = 0, arg5: int = 0) -> int: ...
    def link_up(self, ifname: str) -> None: ...


class LinuxSyscalls:
    """The real thing. One trace record per call, emitted before the errno check so a
    failing call is visible in the trace too."""

    def __init__(self, tracer: Tracer = NULL_TRACER) -> None:
        self.tracer = tracer

    def _done(self, ret: int, call: str, path: str | None, **args: object) -> None:
        if self.tracer.enabled:
            err = None if ret != -1 else os.strerror(ctypes.get_errno())
            self.tracer.emit(call, error=err, **args)
        _check(ret, call, path)

    def unshare(self, flags: int) -> None:
        ret = libc().unshare(ctypes.c_int(flags))
        self._done(ret, "unshare", None, flags=describe_clone(flags))

    def setns(self, fd: int, nstype: int, path: str | None = None) -> None:
        ret = libc().setns(ctypes.c_int(fd), ctypes.c_int(nstype))
        self._done(ret, "setns", path, ns=path, nstype=describe_clone(nstype))

    def mount(self, source: str | None, target: str, fstype: str | None, flags: int = 0,
              data: str | None = None) -> None:
        ret = libc().mount(_b(source), _b(target), _b(fstype), ctypes.c_ulong(flags), _b(data))
        self._done(ret, "mount", target, source=source, target=target, fstype=fstype,
                   flags=mountflags.describe(flags), data=data or None)

    def umount2(self, target: str, flags: int = 0) -> None:
        ret = libc().umount2(_b(target), ctypes.c_int(flags))
        self._done(ret, "umount2", target, target=target, flags=flags)

    def pivot_root(self, new_root: str, put_old: str) -> None:
        # glibc has no wrapper for pivot_root(2); call it by number.
        nr = _SYS_PIVOT_ROOT.get(os.uname().machine)
        if nr is None:
            raise SyscallError("pivot_root", 38, new_root, hint="unsupported architecture")
        ret = libc().syscall(ctypes.c_long(nr), _b(new_root), _b(put_old))
        self._done(ret, "pivot_root", new_root, new_root=new_root, put_old=put_old)

    def sethostname(self, name: str) -> None:
        raw = name.encode()
        ret = libc().sethostname(raw, ctypes.c_size_t(len(raw)))
        self._done(ret, "sethostname", None, name=name)

    def prctl(self, option: int, arg2: int = 0, arg3: int = 0, arg4: int = 0, arg5: int = 0) -> int:
        ret = libc().prctl(ctypes.c_int(option), ctypes.c_ulong(arg2), ctypes.c_ulong(arg3),
                           ctypes.c_ulong(arg4), ctypes.c_ulong(arg5))
        self._done(ret, "prctl", None, option=option, arg2=arg2)
        return ret

    def link_up(self, ifname: str) -> None:
        """Bring an interface up with SIOCSIFFLAGS: a fresh network namespace has ``lo``
        down, and programs expect 127.0.0.1 to work. Plain libc calls: this runs in a
        container's init, where importing the socket module would cost more than the rest."""
        SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1
        AF_INET, SOCK_DGRAM, SOCK_CLOEXEC = 2, 2, 0o2000000
        ifreq = ctypes.create_string_buffer(40)  # struct ifreq: name[16] + a union of 24 bytes
        ifreq.value = ifname.encode()[:15]
        lib = libc()
        sock = lib.socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)
        _check(sock, "socket", ifname)
        try:
            ret = lib.ioctl(sock, ctypes.c_ulong(SIOCGIFFLAGS), ifreq)
            if ret != -1:
                flags = int.from_bytes(ifreq.raw[16:18], "little") | IFF_UP
                ifreq[16:18] = flags.to_bytes(2, "little")
                ret = lib.ioctl(sock, ctypes.c_ulong(SIOCSIFFLAGS), ifreq)
            self._done(ret, "ioctl(SIOCSIFFLAGS)", ifname, ifname=ifname, flags="IFF_UP")
        finally:
            os.close(sock)
