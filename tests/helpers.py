"""Small helpers shared by tests."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest


def wait_until(predicate: Callable[[], object], timeout: float = 10.0, interval: float = 0.02) -> bool:
    """Poll ``predicate`` until it is true or ``timeout`` passes; returns the last result."""
    import time

    end = time.monotonic() + timeout
    while True:
        if predicate():
            return True
        if time.monotonic() >= end:
            return False
        time.sleep(interval)


@dataclass(frozen=True)
class ChildDied:
    """A forked child ended without reporting: killed by ``signal`` or exited with ``status``."""

    signal: int | None
    status: int


def in_child(fn: Callable[[], Any], *, may_die: bool = False) -> Any:
    """Run ``fn`` in a forked child and return its result.

    For tests that change the calling process for good (capability sets, seccomp filters,
    no_new_privs): the child never returns into pytest. An exception in the child fails the
    test with the child's error. A child that dies before reporting (a seccomp kill) fails
    the test too, unless ``may_die``: then a :class:`ChildDied` is returned.
    """
    import pickle

    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(r)
            try:
                payload = pickle.dumps(("ok", fn()))
            except BaseException as e:  # noqa: BLE001 - reported to the parent, then exit
                payload = pickle.dumps(("error", f"{type(e).__name__}: {e}"))
            os.write(w, payload)
        finally:
            os._exit(0)
    os.close(w)
    with os.fdopen(r, "rb") as f:
        data = f.read()
    _, status = os.waitpid(pid, 0)
    if not data:
        died = ChildDied(os.WTERMSIG(status) if os.WIFSIGNALED(status) else None, status)
        if may_die:
            return died
        pytest.fail(f"child died before reporting: {died}")
    kind, value = pickle.loads(data)
    if kind == "error":
        pytest.fail(f"in child: {value}")
    return value
