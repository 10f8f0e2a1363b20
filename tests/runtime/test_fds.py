"""Descriptor hygiene and waiting on descriptors, for processes forked from a busy caller."""

from __future__ import annotations

import os
import resource

import pytest

from sandbox.runtime.fds import close_fds_except, wait_readable

HIGH = 1500
"""Above FD_SETSIZE (1024), where select(2) gives up."""


@pytest.fixture
def high_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard <= HIGH:
        pytest.skip(f"the hard descriptor limit is {hard}")
    if soft == resource.RLIM_INFINITY or soft <= HIGH:
        resource.setrlimit(resource.RLIMIT_NOFILE, (HIGH + 100, hard))
    yield
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_wait_readable_watches_a_descriptor_numbered_above_1024(high_limit: None) -> None:
    r, w = os.pipe()
    os.dup2(r, HIGH)
    try:
        assert wait_readable(HIGH, 0) is False
        os.write(w, b"x")
        assert wait_readable(HIGH, 1) is True
    finally:
        for fd in (r, w, HIGH):
            os.close(fd)


def test_wait_readable_sees_end_of_file_and_a_process_that_ended() -> None:
    r, w = os.pipe()
    os.close(w)
    try:
        assert wait_readable(r, 1) is True  # end-of-file reads at once
    finally:
        os.close(r)
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    pidfd = os.pidfd_open(pid)
    try:
        assert wait_readable(pidfd, 5) is True
    finally:
        os.close(pidfd)
        os.waitpid(pid, 0)


def test_close_fds_except_keeps_only_what_it_is_told() -> None:
    keep_r, keep_w = os.pipe()
    gone_r, gone_w = os.pipe()
    status_r, status_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            close_fds_except({keep_r, status_w})
            alive = []
            for fd in (keep_r, keep_w, gone_r, gone_w):
                try:
                    os.fstat(fd)
                    alive.append(fd)
                except OSError:
                    pass
            os.write(status_w, repr(alive).encode())
        finally:
            os._exit(0)
    os.close(status_w)
    try:
        assert os.read(status_r, 100).decode() == repr([keep_r])
    finally:
        os.waitpid(pid, 0)
        for fd in (keep_r, keep_w, gone_r, gone_w, status_r):
            os.close(fd)
