"""Dropping privileges: the last thing a container's init does before exec.

Docker's defaults live here (capabilities, masked and read-only paths), and so does
``finalize_process``, which turns the spec's ``process`` section into kernel state in the
only order that works: each step needs a privilege that a later step takes away.
"""

from __future__ import annotations

import os
import resource
import signal

from sandbox.errors import SyscallError
from sandbox.linux import caps

# At the top, not where they are used: the init calls them after pivot_root, where the
# host's Python modules can no longer be found.
from sandbox.linux.syscalls import SIG_DFL, set_signal_disposition
from sandbox.linux.trace import NULL_TRACER, Tracer
from sandbox.runtime.spec import RLIMITS, Capabilities

# Not typing.TYPE_CHECKING: importing typing is part of every container start.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from sandbox.runtime.seccomp import CompiledFilter
    from sandbox.runtime.spec import Process, Spec

# Everything finalize_process needs is imported above, not inside it: it runs after
# pivot_root, where the host's Python library is no longer reachable.

DEFAULT_CAPABILITIES: tuple[str, ...] = (
    "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW",
    "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
    "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
)
"""Docker's 14: enough to run ordinary programs as root (own files, bind low ports, switch
users), nothing that reaches past the container (no SYS_ADMIN, NET_ADMIN, SYS_MODULE…)."""

DEFAULT_MASKED_PATHS: tuple[str, ...] = (
    "/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
    "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
    "/sys/firmware", "/sys/devices/virtual/powercap",
)
"""Hidden (a file bind-mounted over with /dev/null, a directory with an empty read-only
tmpfs): /proc is the host's kernel seen through the container's pid namespace, and these
entries show host memory, keys, hardware or timing details other tenants leak through."""

DEFAULT_READONLY_PATHS: tuple[str, ...] = (
    "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
)
"""Readable but remounted read-only: writing them would tune the whole host's kernel."""


def apply_docker_defaults(spec: Spec) -> Spec:
    """Give ``spec`` what ``docker run`` gives a container unless told otherwise: the 14
    capabilities, no_new_privs, the default seccomp profile, masked and read-only paths.

    Overwrites those fields (the engine adjusts them afterwards for ``--cap-add`` and
    friends) and returns the same spec.
    """
    from sandbox.runtime.seccomp import default_profile

    spec.process.capabilities = Capabilities.same(list(DEFAULT_CAPABILITIES))
    spec.process.no_new_privileges = True
    spec.linux.seccomp = default_profile()
    spec.linux.masked_paths = list(DEFAULT_MASKED_PATHS)
    spec.linux.readonly_paths = list(DEFAULT_READONLY_PATHS)
    return spec


def apply_no_new_privs(tracer: Tracer = NULL_TRACER) -> None:
    """PR_SET_NO_NEW_PRIVS for this process and everything it will exec."""
    caps.set_no_new_privs(tracer)


def _apply_rlimits(process: Process, tracer: Tracer) -> None:
    if not process.rlimits:
        return

    def value(v: int) -> int:
        # OCI limits are unsigned 64-bit, where 2^64-1 is "unlimited"; Python spells that -1.
        return resource.RLIM_INFINITY if v >= 1 << 63 else v

    for rl in process.rlimits:
        try:
            # prlimit rather than setrlimit: Python turns setrlimit's errno into a ValueError.
            resource.prlimit(0, RLIMITS[rl.type], (value(rl.soft), value(rl.hard)))
        except OSError as e:
            tracer.emit("setrlimit", error=e.strerror, resource=rl.type, soft=rl.soft, hard=rl.hard)
            raise SyscallError("setrlimit", e.errno or 0, rl.type,
                               hint="raising a hard limit needs CAP_SYS_RESOURCE") from e
    tracer.emit("setrlimit", limits={rl.type: [rl.soft, rl.hard] for rl in process.rlimits})


def _switch_user(process: Process, tracer: Tracer) -> None:
    u = process.user
    try:
        # Supplementary groups first: once we are no longer root, setgroups is refused.
        os.setgroups(list(u.additional_gids))
        os.setresgid(u.gid, u.gid, u.gid)
        # The uid last: leaving uid 0 empties the effective set, and without CAP_SETGID
        # the gid could no longer change. With keepcaps on, the permitted set survives.
        os.setresuid(u.uid, u.uid, u.uid)
    except OSError as e:
        tracer.emit("setuser", error=e.strerror, uid=u.uid, gid=u.gid, groups=list(u.additional_gids))
        raise SyscallError("setresuid/setresgid", e.errno or 0, f"{u.uid}:{u.gid}",
                           hint="changing user needs CAP_SETUID and CAP_SETGID") from e
    tracer.emit("setuser", uid=u.uid, gid=u.gid, groups=list(u.additional_gids))


def restore_signals() -> None:
    """Give the program the signal state of a fresh process. An ignored signal stays ignored
    across execve(2), and Python ignores SIGPIPE and SIGXFSZ at start-up (and keeps whatever
    its own parent ignored, often SIGQUIT), so without this ``yes | head -1`` in a container
    would end with a write error instead of SIGPIPE. A blocked mask survives execve too."""
    for sig in signal.valid_signals():
        if sig in (signal.SIGKILL, signal.SIGSTOP):
            continue
        if signal.getsignal(sig) not in (signal.SIG_DFL, None):
            signal.signal(sig, signal.SIG_DFL)
    # The two glibc keeps for itself are not among the valid ones; whoever started us may
    # still have ignored them (a CI runner did).
    for sig in range(signal.SIGRTMIN - 2, signal.SIGRTMIN):
        set_signal_disposition(sig, SIG_DFL)
    signal.pthread_sigmask(signal.SIG_SETMASK, ())


def finalize_process(process: Process, compiled_seccomp: CompiledFilter | None,
                     tracer: Tracer = NULL_TRACER) -> None:
    """Reduce the calling process to what ``process`` allows. Runs in the container's init,
    after pivot_root, right before exec; also works outside a container (tests fork for it).

    With ``process.capabilities`` None the process keeps no capability at all.
    """
    wanted = process.capabilities
    last = caps.last_cap()

    def numbers(which: str) -> set[int]:
        # A capability newer than this kernel cannot be granted; leaving it out matches
        # what the kernel would report anyway.
        return {c for c in wanted.numbers(which) if c <= last} if wanted else set()

    # 0. Before the seccomp filter, which may deny rt_sigaction to the program.
    restore_signals()

    # 1. Resource limits while we still hold CAP_SYS_RESOURCE: raising a hard limit needs it.
    _apply_rlimits(process, tracer)

    # 2. Without no_new_privs, installing a seccomp filter needs CAP_SYS_ADMIN, which step 3
    #    takes away: load it now, as runc does. The filter must then allow the few calls
    #    left below (prctl, setresuid, capset) — the default profile does.
    early_seccomp = None if process.no_new_privileges else compiled_seccomp
    if early_seccomp is not None:
        early_seccomp.load(tracer)

    # 3. The bounding set first: dropping from it needs CAP_SETPCAP in the effective set,
    #    which capset may remove in step 5.
    caps.drop_bounding(numbers("bounding"), tracer)

    # 4. The user. Changing the uid away from 0 would empty the permitted set (and with it
    #    any chance to keep some capabilities), unless keepcaps is on. Clear it afterwards so
    #    a later uid change inside the container follows the normal rules. The groups are
    #    set even for root: otherwise the caller's supplementary groups would leak in.
    user = process.user
    if ((user.uid, user.gid) != (os.getuid(), os.getgid())
            or set(user.additional_gids) != set(os.getgroups())):
        caps.set_keepcaps(True, tracer)
        _switch_user(process, tracer)
        caps.set_keepcaps(False, tracer)
    if user.umask is not None:
        os.umask(user.umask)

    # 5. The three sets at once. They can only shrink from what the init inherited; the
    #    effective set, emptied by a uid change, is given back from the kept permitted set.
    caps.capset(effective=numbers("effective"), permitted=numbers("permitted"),
                inheritable=numbers("inheritable"), tracer=tracer)

    # 6. Ambient capabilities carry over an exec as a non-root user; each must already be
    #    permitted and inheritable. Like runc, one that is not is reported and skipped,
    #    since `runc spec` itself lists ambient capabilities without inheritable ones.
    caps.clear_ambient(tracer)
    ambient = numbers("ambient") & numbers("permitted") & numbers("inheritable")
    if ambient:
        caps.raise_ambient(ambient, tracer)
    skipped = numbers("ambient") - ambient
    if skipped:
        tracer.emit("capamb.raise", error="not both permitted and inheritable", caps=caps.names(skipped))

    # 7. no_new_privs: from now on no exec can add privileges (setuid binaries, file caps).
    if process.no_new_privileges:
        apply_no_new_privs(tracer)

    # 8. Seccomp last: every call the filter denies is denied to us too from here on.
    if compiled_seccomp is not None and early_seccomp is None:
        compiled_seccomp.load(tracer)
