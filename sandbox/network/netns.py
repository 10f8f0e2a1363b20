"""Run a function in a short-lived thread, optionally inside another network namespace.

Why a thread: ``setns(CLONE_NEWNET)`` changes the namespace of the calling *thread* only.
Doing it in a fresh thread leaves the caller (an engine request handler, an asyncio loop)
where it was, even if something fails half-way. Sockets remember the namespace they were
made in, so a netlink or TCP socket opened in that thread keeps working in the container's
namespace from any thread afterwards.

Host-side requests need no thread of their own: every other thread of the engine stays in
the host's namespace, so a netlink socket opened, used and closed by the caller talks to
the host.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import TypeVar

from sandbox.errors import NetlinkFailed, SyscallError
from sandbox.linux.syscalls import CLONE_NEWNET, LinuxSyscalls

T = TypeVar("T")


def run_in_thread(fn: Callable[[], T], *, netns: str | None = None,
                  syscalls: LinuxSyscalls | None = None) -> T:
    """Call ``fn`` in a new thread (inside ``netns``, a path such as ``/proc/PID/ns/net``,
    when given), wait for it, and return its result or raise its exception here."""
    box: dict[str, object] = {}

    def body() -> None:
        try:
            if netns is None:
                box["result"] = fn()
            else:
                box["result"] = call_inside(netns, fn, syscalls or LinuxSyscalls())
        except BaseException as e:  # noqa: BLE001 -- re-raised in the caller's thread below
            box["error"] = e

    t = threading.Thread(target=body, name="sandbox-netns", daemon=True)
    t.start()
    t.join()
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["result"]  # type: ignore[return-value]


def call_inside(netns: str, fn: Callable[[], T], sys: LinuxSyscalls) -> T:
    """Enter ``netns`` in the calling thread, call ``fn``, and come back. Only for threads
    that ``run_in_thread`` made."""
    try:
        target = os.open(netns, os.O_RDONLY | os.O_CLOEXEC)
    except OSError as e:
        raise NetlinkFailed("open netns", netns, e.errno,
                            hint="is the container still running? its namespace file is gone") from None
    own = os.open("/proc/thread-self/ns/net", os.O_RDONLY | os.O_CLOEXEC)
    try:
        try:
            sys.setns(target, CLONE_NEWNET, netns)
        except SyscallError as e:
            raise NetlinkFailed("setns", netns, e.errno, hint="is it a network namespace file?") from None
        try:
            return fn()
        finally:
            # Go back before the thread ends: harmless for a thread about to exit, and it
            # keeps this helper correct should a thread pool ever reuse the thread.
            sys.setns(own, CLONE_NEWNET, "/proc/thread-self/ns/net")
    finally:
        os.close(target)
        os.close(own)
