"""Build the container's root filesystem inside its new mount namespace, then pivot into it.

Runs in the container's init, after ``unshare(CLONE_NEWNS)`` and before exec. Every mount
made here lives only in the container's mount namespace, so when its last process exits the
kernel drops them all: nothing can be left mounted on the host.
"""

from __future__ import annotations

import errno
import os
import stat

from sandbox.errors import SyscallError
from sandbox.linux import mountflags as mf
from sandbox.linux.syscalls import Syscalls
from sandbox.records import Record, field
from sandbox.runtime.paths import secure_join

# The character devices every container gets (major, minor), as runc and Docker create them.
DEFAULT_DEVICES: tuple[tuple[str, int, int], ...] = (
    ("null", 1, 3), ("zero", 1, 5), ("full", 1, 7),
    ("random", 1, 8), ("urandom", 1, 9), ("tty", 5, 0),
)
DEFAULT_SYMLINKS: tuple[tuple[str, str], ...] = (
    ("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"),
    ("stderr", "/proc/self/fd/2"), ("ptmx", "pts/ptmx"),
)


def dev_symlinks(kcore: str = "/proc/kcore") -> tuple[tuple[str, str], ...]:
    """The links of /dev. /dev/core only when the kernel has /proc/kcore: it is a build
    option (CONFIG_PROC_KCORE), and runc links it on the same condition."""
    if os.path.exists(kcore):
        return DEFAULT_SYMLINKS + (("core", "/proc/kcore"),)
    return DEFAULT_SYMLINKS


class RootfsPlan(Record, repr=False, eq=False):
    """Everything the init needs to build the rootfs; made in the parent, used in the child."""

    target: str
    """The directory that becomes ``/``."""
    source_dir: str | None = None
    """A plain rootfs directory (an OCI bundle's ``root.path``), bind-mounted onto itself."""
    overlay_data: str | None = None
    """``lowerdir=…,upperdir=…,workdir=…`` when the rootfs is an overlay of image layers."""
    readonly: bool = False
    mounts: list[tuple[str, str | None, str | None, list[str]]] = field(default_factory=list)
    """(destination, type, source, options) from the spec, in order."""
    masked: list[str] = field(default_factory=list)
    readonly_paths: list[str] = field(default_factory=list)
    cgroup_v1_hierarchies: list[tuple[str, str, str]] = field(default_factory=list)
    """Per v1 hierarchy: (directory name, mount options naming it, our cgroup's host
    directory in it). Empty on pure v2."""
    cgroup_v2_dir: str | None = None
    """Our cgroup's host directory in the v2 tree."""
    cgroup_ns: bool = False
    """With a cgroup namespace a fresh cgroup mount is rooted at our cgroup; without one
    it would show the host's whole tree, so our own directories are bound instead."""
    console: str | None = None
    """The pty slave to bind over /dev/console when the process has a terminal."""
    sysctl: dict[str, str] = field(default_factory=dict)


def _mkdir_p(path: str) -> None:
    os.makedirs(path, mode=0o755, exist_ok=True)


def _ensure_target(path: str, source: str | None, bind: bool) -> None:
    """Bind mounts of a file need a file to mount over; everything else a directory."""
    if bind and source and os.path.exists(source) and not os.path.isdir(source):
        _mkdir_p(os.path.dirname(path))
        if not os.path.lexists(path):
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o644))
        return
    _mkdir_p(path)


def mount_root(plan: RootfsPlan, sys: Syscalls) -> None:
    # Make every mount we inherited a slave of the host's: host unmounts still reach us,
    # but nothing we mount here propagates back out to the host (its / is usually shared).
    sys.mount(None, "/", None, mf.MS_SLAVE | mf.MS_REC)
    if plan.overlay_data is not None:
        sys.mount("overlay", plan.target, "overlay", 0, plan.overlay_data)
    else:
        # pivot_root needs the new root to be a mount point: bind the directory onto itself.
        sys.mount(plan.source_dir or plan.target, plan.target, None, mf.MS_BIND | mf.MS_REC)


def _mount_cgroup(dest: str, flags: int, plan: RootfsPlan, sys: Syscalls) -> None:
    if not plan.cgroup_v1_hierarchies:
        if plan.cgroup_ns:
            sys.mount("cgroup", dest, "cgroup2", flags)
        elif plan.cgroup_v2_dir:
            sys.mount(plan.cgroup_v2_dir, dest, None, mf.MS_BIND | mf.MS_REC)
            sys.mount(None, dest, None, mf.MS_REMOUNT | mf.MS_BIND | flags)
        return
    # cgroup v1: a tmpfs holding one mount per hierarchy, as runc lays it out.
    sys.mount("tmpfs", dest, "tmpfs", mf.MS_NOSUID | mf.MS_NODEV | mf.MS_NOEXEC, "mode=755")
    for name, options, host_dir in plan.cgroup_v1_hierarchies:
        sub = os.path.join(dest, name)
        if plan.cgroup_ns:
            _mkdir_p(sub)
            sys.mount("cgroup", sub, "cgroup", flags, options)
        elif os.path.isdir(host_dir):
            _mkdir_p(sub)
            sys.mount(host_dir, sub, None, mf.MS_BIND | mf.MS_REC)
            sys.mount(None, sub, None, mf.MS_REMOUNT | mf.MS_BIND | flags)


def mount_spec_mounts(plan: RootfsPlan, sys: Syscalls, start: int = 0, stop: int | None = None) -> None:
    """The spec's mounts in their order; ``start``/``stop`` pick a slice of them."""
    for destination, fstype, source, options in plan.mounts[start:stop]:
        dest = secure_join(plan.target, destination)
        opts = mf.parse_options(options)
        bind = bool(opts.flags & mf.MS_BIND) or fstype == "bind"
        _ensure_target(dest, source, bind)
        if fstype == "cgroup":
            _mount_cgroup(dest, opts.flags, plan, sys)
        elif bind:
            flags = opts.flags | mf.MS_BIND
            sys.mount(source, dest, None, flags & (mf.MS_BIND | mf.MS_REC))
            # A bind mount ignores every flag but MS_REC on the first call; ro, nosuid and
            # friends only take effect on a remount of the bind.
            extra = flags & ~(mf.MS_BIND | mf.MS_REC | mf.MS_REMOUNT)
            if extra:
                sys.mount(None, dest, None, mf.MS_REMOUNT | mf.MS_BIND | extra)
        else:
            sys.mount(source or fstype, dest, fstype, opts.flags, opts.data or None)
        if opts.propagation:
            # The kernel takes a propagation change only on its own, in a second call.
            sys.mount(None, dest, None, opts.propagation)


def populate_dev(plan: RootfsPlan, sys: Syscalls) -> None:
    """Device nodes and links in /dev, made with mknod: without a user namespace we are real
    root and the device cgroup (v1) or no filter (v2) decides what may be opened."""
    dev = secure_join(plan.target, "/dev")
    if not os.path.isdir(dev):
        return
    old = os.umask(0)
    try:
        for name, major, minor in DEFAULT_DEVICES:
            path = os.path.join(dev, name)
            if not os.path.lexists(path):
                os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(major, minor))
        for name, target in dev_symlinks():
            path = os.path.join(dev, name)
            if not os.path.lexists(path):
                os.symlink(target, path)
        for sub in ("pts", "shm"):
            os.makedirs(os.path.join(dev, sub), mode=0o755, exist_ok=True)
        if plan.console:
            console = os.path.join(dev, "console")
            if not os.path.lexists(console):
                os.close(os.open(console, os.O_CREAT | os.O_WRONLY, 0o600))
            sys.mount(plan.console, console, None, mf.MS_BIND)
    finally:
        os.umask(old)


def apply_sysctl(plan: RootfsPlan) -> None:
    for key, value in plan.sysctl.items():
        path = secure_join(plan.target, "/proc/sys/" + key.replace(".", "/"))
        with open(path, "w") as f:
            f.write(value)


def pivot(plan: RootfsPlan, sys: Syscalls) -> None:
    os.chdir(plan.target)
    # pivot_root(".", ".") stacks the old root on top of the new one at the same place, so
    # no put_old directory has to exist inside the image. The old root is then made a
    # slave (so our unmount cannot propagate to the host's mounts) and lazily detached.
    sys.pivot_root(".", ".")
    sys.mount(None, ".", None, mf.MS_SLAVE | mf.MS_REC)
    sys.umount2(".", mf.MNT_DETACH)
    os.chdir("/")


def mask_paths(plan: RootfsPlan, sys: Syscalls) -> None:
    for path in plan.masked:
        try:
            if os.path.isdir(path):
                # A directory is hidden under an empty read-only tmpfs.
                sys.mount("tmpfs", path, "tmpfs", mf.MS_RDONLY)
            else:
                # A file is hidden by binding /dev/null over it: reads are empty.
                sys.mount("/dev/null", path, None, mf.MS_BIND)
        except SyscallError as e:
            if e.errno not in (errno.ENOENT, errno.ENOTDIR):
                raise


def readonly_paths(plan: RootfsPlan, sys: Syscalls) -> None:
    for path in plan.readonly_paths:
        try:
            sys.mount(path, path, None, mf.MS_BIND | mf.MS_REC)
        except SyscallError as e:
            if e.errno in (errno.ENOENT, errno.ENOTDIR):
                continue
            raise
        sys.mount(None, path, None, mf.MS_BIND | mf.MS_REMOUNT | mf.MS_RDONLY)


def remount_root_readonly(sys: Syscalls) -> None:
    sys.mount(None, "/", None, mf.MS_BIND | mf.MS_REMOUNT | mf.MS_RDONLY)


def first_cgroup_mount(plan: RootfsPlan) -> int:
    """The index of the first cgroup mount in ``plan.mounts`` (their count without one)."""
    return next((i for i, m in enumerate(plan.mounts) if m[1] == "cgroup"), len(plan.mounts))


def build_early(plan: RootfsPlan, sys: Syscalls) -> int:
    """The part of the sequence that does not depend on the container's cgroup: the root and
    the spec's mounts before the first cgroup mount (a cgroup namespace, which that mount
    may need, can only be made once the process is in its cgroup). Returns how many of the
    spec's mounts it made, for ``build(done=...)``."""
    mount_root(plan, sys)
    done = first_cgroup_mount(plan)
    mount_spec_mounts(plan, sys, 0, done)
    return done


def build(plan: RootfsPlan, sys: Syscalls, done: int | None = None) -> None:
    """The whole sequence, in the order the kernel needs it; ``done``: ``build_early`` made
    the root and that many of the spec's mounts already."""
    if done is None:
        mount_root(plan, sys)
        done = 0
    mount_spec_mounts(plan, sys, done)
    populate_dev(plan, sys)
    apply_sysctl(plan)
    pivot(plan, sys)
    mask_paths(plan, sys)
    readonly_paths(plan, sys)
    if plan.readonly:
        remount_root_readonly(sys)
