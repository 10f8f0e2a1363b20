"""API versions: the ``/v1.NN/`` path prefix and the range this engine answers.

The docker CLI asks ``/_ping`` first and then uses ``min(its own, Api-Version)`` as the
prefix; the SDK does the same through ``/version``. A request without a prefix is served
as the newest version, as dockerd does.
"""

from __future__ import annotations

import re

from sandbox.errors import InvalidParameter

API_VERSION = "1.47"
"""The newest version we answer; sent as ``Api-Version`` on every reply."""
MIN_API_VERSION = "1.24"

_PREFIX = re.compile(r"^/v([0-9][0-9.]*)(/.*)$")


def version_tuple(text: str) -> tuple[int, ...]:
    """``"1.41"`` -> ``(1, 41)``; raises InvalidParameter for anything else."""
    parts = text.split(".")
    if not text or not all(p.isdigit() for p in parts):
        raise InvalidParameter(f"invalid API version {text!r}", "versions look like 1.41")
    return tuple(int(p) for p in parts)


def split_version(path: str) -> tuple[str | None, str]:
    """``/v1.41/containers/json`` -> ``("1.41", "/containers/json")``; no prefix -> (None, path)."""
    m = _PREFIX.match(path)
    if m is None:
        return None, path
    return m.group(1), m.group(2)


def check_version(version: str) -> str:
    """Accept a client's version or raise dockerd's 400 messages for one out of range."""
    wanted = version_tuple(version)
    if wanted > version_tuple(API_VERSION):
        raise InvalidParameter(
            f"client version {version} is too new. Maximum supported API version is {API_VERSION}",
            "the client negotiates down when it reads Api-Version from /_ping")
    if wanted < version_tuple(MIN_API_VERSION):
        raise InvalidParameter(
            f"client version {version} is too old. Minimum supported API version is {MIN_API_VERSION}, "
            "please upgrade your client to a newer version")
    return version


def at_least(version: str, minimum: str) -> bool:
    """Does a request made with ``version`` get the behaviour introduced in ``minimum``?"""
    return version_tuple(version) >= version_tuple(minimum)
