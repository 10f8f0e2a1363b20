"""The engine's malloc thresholds: MiB pieces made in one thread and freed in another stop
page-faulting once the heap keeps freed memory."""

from __future__ import annotations

import platform
import subprocess
import sys
import textwrap

import pytest

from sandbox.engine.heap import MMAP_THRESHOLD_MAX, HeapThresholds, keep_freed_heap
from sandbox.errors import DaemonError

glibc_only = pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt thresholds are glibc's")

# A fresh interpreter (the test process's heap has its own history). Three producer threads
# make pieces of about a MiB that the main thread frees, as a pull's downloads and its
# layer applier do; the faults of a second such round are counted, after the heaps grew.
_CHURN = textwrap.dedent("""
    import queue, resource, sys, threading
    from sandbox.engine.heap import keep_freed_heap
    if sys.argv[1] == "keep":
        assert keep_freed_heap()
    def churn():
        pieces = queue.Queue(maxsize=16)
        def produce():
            for i in range(200):
                pieces.put(bytes([i % 251]) * ((1 << 20) - (i * 7919 % 5) * 65536))
            pieces.put(None)
        for _ in range(3):
            threading.Thread(target=produce).start()
        ended = 0
        while ended < 3:
            piece = pieces.get()
            ended += piece is None
            del piece
    churn()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    churn()
    print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
""")


def _faults(mode: str) -> int:
    out = subprocess.run([sys.executable, "-c", _CHURN, mode], capture_output=True, text=True, check=True)
    return int(out.stdout.strip())


@glibc_only
def test_freed_pieces_are_reused_instead_of_faulted_in_again() -> None:
    default, kept = _faults("default"), _faults("keep")
    # By default a good part of the 600 MiB is faulted in afresh (13,000 to 23,000 pages,
    # depending on how the threads interleave); kept, next to none of it.
    assert kept * 10 < default


@pytest.mark.parametrize("mmap, trim", [(0, 1 << 20), (MMAP_THRESHOLD_MAX + 1, 1 << 20), (1 << 20, -1),
                                        (1 << 20, 1 << 31)])
def test_thresholds_out_of_range_are_refused(mmap: int, trim: int) -> None:
    with pytest.raises(DaemonError, match="out of range"):
        HeapThresholds(mmap=mmap, trim=trim)


@glibc_only
def test_default_thresholds_are_accepted() -> None:
    assert keep_freed_heap() is True
