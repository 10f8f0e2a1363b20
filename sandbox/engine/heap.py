"""The engine's malloc thresholds: freed stream pieces stay in the heap for the next ones.

Pulls, pushes and loads move blobs through the engine in pieces of about a MiB, made in
one thread (the download, the decompressor) and freed in another (the layer applier).
glibc starts with a 128 KiB trim threshold and raises it only after it has once freed a
large mmap'd block; until then a freed piece at the top of a thread's heap goes back to
the kernel (``madvise``) at once, and the next piece page-faults fresh zeroed pages in
again. A 50 MB ``docker pull`` took about 55,000 page faults and ~150 ms of system time
that way; a long-lived process whose first big allocation never happened kept paying it.

Fixing the thresholds at start-up keeps up to ``trim`` bytes free at the top of each heap
for reuse, which is close to the state glibc reaches on its own after a 32 MiB block has
been freed. Elsewhere (musl's ``mallopt`` does nothing) this is a no-op.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass

from sandbox.errors import DaemonError

# From <malloc.h>.
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
# glibc's own ceiling for the dynamic mmap threshold on 64-bit (half its 64 MiB heaps): a
# larger block cannot come from a thread's heap anyway.
MMAP_THRESHOLD_MAX = 32 << 20


@dataclass(frozen=True)
class HeapThresholds:
    mmap: int = 8 << 20
    """Blocks this large or larger get mappings of their own (returned when freed): above
    the pieces a stream uses, so those come from the heap."""
    trim: int = 32 << 20
    """Free memory at the top of a heap beyond this is given back to the kernel."""

    def __post_init__(self) -> None:
        # mallopt takes a C int and glibc 2.36 accepts any value, so nonsense is caught here.
        if not 0 < self.mmap <= MMAP_THRESHOLD_MAX or not 0 <= self.trim < 1 << 31:
            raise DaemonError(f"malloc thresholds out of range: mmap {self.mmap}, trim {self.trim}",
                              f"mmap between 1 and {MMAP_THRESHOLD_MAX} bytes, trim below 2 GiB")


def keep_freed_heap(thresholds: HeapThresholds | None = None) -> bool:
    """Set glibc's mmap and trim thresholds for this process. False when the C library has
    no ``mallopt`` or refused them: its defaults then stay, nothing else changes."""
    t = thresholds or HeapThresholds()
    try:
        mallopt = ctypes.CDLL(None).mallopt  # the C library this process already uses
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    # Setting either threshold also turns glibc's dynamic adjustment off, so both are set.
    return bool(mallopt(M_MMAP_THRESHOLD, t.mmap)) and bool(mallopt(M_TRIM_THRESHOLD, t.trim))
