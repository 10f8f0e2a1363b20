"""mount(2) flags and the OCI/fstab option words that map onto them."""

from __future__ import annotations

from sandbox.records import Record

MS_RDONLY = 0x1
MS_NOSUID = 0x2
MS_NODEV = 0x4
MS_NOEXEC = 0x8
MS_SYNCHRONOUS = 0x10
MS_REMOUNT = 0x20
MS_MANDLOCK = 0x40
MS_DIRSYNC = 0x80
MS_NOSYMFOLLOW = 0x100
MS_NOATIME = 0x400
MS_NODIRATIME = 0x800
MS_BIND = 0x1000
MS_MOVE = 0x2000
MS_REC = 0x4000
MS_SILENT = 0x8000
MS_UNBINDABLE = 0x20000
MS_PRIVATE = 0x40000
MS_SLAVE = 0x80000
MS_SHARED = 0x100000
MS_RELATIME = 0x200000
MS_STRICTATIME = 0x1000000
MS_LAZYTIME = 0x2000000

MNT_FORCE = 0x1
MNT_DETACH = 0x2
MNT_EXPIRE = 0x4
UMOUNT_NOFOLLOW = 0x8

PROPAGATION = MS_PRIVATE | MS_SLAVE | MS_SHARED | MS_UNBINDABLE

_NAMES = {
    MS_RDONLY: "MS_RDONLY", MS_NOSUID: "MS_NOSUID", MS_NODEV: "MS_NODEV", MS_NOEXEC: "MS_NOEXEC",
    MS_SYNCHRONOUS: "MS_SYNCHRONOUS", MS_REMOUNT: "MS_REMOUNT", MS_MANDLOCK: "MS_MANDLOCK",
    MS_DIRSYNC: "MS_DIRSYNC", MS_NOSYMFOLLOW: "MS_NOSYMFOLLOW", MS_NOATIME: "MS_NOATIME",
    MS_NODIRATIME: "MS_NODIRATIME", MS_BIND: "MS_BIND", MS_MOVE: "MS_MOVE", MS_REC: "MS_REC",
    MS_SILENT: "MS_SILENT", MS_UNBINDABLE: "MS_UNBINDABLE", MS_PRIVATE: "MS_PRIVATE",
    MS_SLAVE: "MS_SLAVE", MS_SHARED: "MS_SHARED", MS_RELATIME: "MS_RELATIME",
    MS_STRICTATIME: "MS_STRICTATIME", MS_LAZYTIME: "MS_LAZYTIME",
}

# option word -> (clear?, flag). Mirrors the table runc uses for config.json mount options.
_OPTIONS: dict[str, tuple[bool, int]] = {
    "async": (True, MS_SYNCHRONOUS), "atime": (True, MS_NOATIME), "defaults": (False, 0),
    "dev": (True, MS_NODEV), "diratime": (True, MS_NODIRATIME), "dirsync": (False, MS_DIRSYNC),
    "exec": (True, MS_NOEXEC), "mand": (False, MS_MANDLOCK), "noatime": (False, MS_NOATIME),
    "nodev": (False, MS_NODEV), "nodiratime": (False, MS_NODIRATIME), "noexec": (False, MS_NOEXEC),
    "nomand": (True, MS_MANDLOCK), "norelatime": (True, MS_RELATIME),
    "nostrictatime": (True, MS_STRICTATIME), "nosuid": (False, MS_NOSUID),
    "nosymfollow": (False, MS_NOSYMFOLLOW), "rbind": (False, MS_BIND | MS_REC),
    "bind": (False, MS_BIND), "relatime": (False, MS_RELATIME), "remount": (False, MS_REMOUNT),
    "ro": (False, MS_RDONLY), "rw": (True, MS_RDONLY), "strictatime": (False, MS_STRICTATIME),
    "suid": (True, MS_NOSUID), "sync": (False, MS_SYNCHRONOUS),
}
_PROPAGATION_OPTIONS = {
    "private": MS_PRIVATE, "rprivate": MS_PRIVATE | MS_REC,
    "shared": MS_SHARED, "rshared": MS_SHARED | MS_REC,
    "slave": MS_SLAVE, "rslave": MS_SLAVE | MS_REC,
    "unbindable": MS_UNBINDABLE, "runbindable": MS_UNBINDABLE | MS_REC,
}


class MountOptions(Record, frozen=True):
    flags: int
    """Flags for the mount itself."""
    propagation: int
    """A propagation change, applied in a second mount(2) call: the kernel refuses to
    combine propagation flags with anything else in one call."""
    data: str
    """Filesystem-specific options, passed as mount(2)'s data string (``mode=755,size=65536k``)."""


def parse_options(options: list[str] | tuple[str, ...]) -> MountOptions:
    flags = 0
    propagation = 0
    data: list[str] = []
    for word in options:
        if word in _OPTIONS:
            clear, flag = _OPTIONS[word]
            flags = flags & ~flag if clear else flags | flag
        elif word in _PROPAGATION_OPTIONS:
            propagation |= _PROPAGATION_OPTIONS[word]
        else:
            data.append(word)
    return MountOptions(flags, propagation, ",".join(data))


def describe(flags: int) -> str:
    """``MS_BIND|MS_REC`` for trace records and errors."""
    if not flags:
        return "0"
    names = [name for bit, name in _NAMES.items() if flags & bit]
    rest = flags & ~sum(_NAMES)
    if rest:
        names.append(hex(rest))
    return "|".join(names)
