"""Just enough ELF reading to tell a static binary from a dynamic one.

A dynamically linked program names its loader in a PT_INTERP program header; inside a
fresh image there is no loader or libc, so such a busybox would fail to start.
"""

from __future__ import annotations

import struct
from pathlib import Path

PT_INTERP = 3


def is_elf(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(4) == b"\x7fELF"


def is_static(path: Path) -> bool:
    with open(path, "rb") as f:
        ident = f.read(16)
        if ident[:4] != b"\x7fELF":
            return False
        is64 = ident[4] == 2
        endian = "<" if ident[5] == 1 else ">"
        if is64:
            f.seek(0x20)
            (phoff,) = struct.unpack(endian + "Q", f.read(8))
            f.seek(0x36)
        else:
            f.seek(0x1C)
            (phoff,) = struct.unpack(endian + "I", f.read(4))
            f.seek(0x2A)
        phentsize, phnum = struct.unpack(endian + "HH", f.read(4))
        for i in range(phnum):
            f.seek(phoff + i * phentsize)
            (p_type,) = struct.unpack(endian + "I", f.read(4))
            if p_type == PT_INTERP:
                return False
    return True
