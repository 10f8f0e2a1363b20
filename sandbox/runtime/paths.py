"""Resolve a path inside a root without ever leaving it.

A container's own symlinks must be followed as the container would see them: a link to
``/etc`` means ``<root>/etc``, and ``..`` stops at the root. This is what keeps a mount
destination like ``/proc`` (or a hostile ``/evil -> /../../etc``) inside the rootfs.
"""

from __future__ import annotations

import os

from sandbox.errors import SandboxError

_MAX_LINKS = 255


def secure_join(root: str, unsafe: str) -> str:
    """``root`` + ``unsafe`` with every symlink resolved inside ``root``.

    Missing components are fine (the caller may create them); the result is always
    ``root`` or below it.
    """
    root = os.path.abspath(root)
    parts = [p for p in unsafe.split("/") if p and p != "."]
    resolved: list[str] = []
    links = 0
    while parts:
        part = parts.pop(0)
        if part == "..":
            if resolved:
                resolved.pop()
            continue
        candidate = os.path.join(root, *resolved, part)
        try:
            target = os.readlink(candidate)
        except OSError:
            # Not a symlink (EINVAL) or not there yet (ENOENT): take it literally.
            resolved.append(part)
            continue
        links += 1
        if links > _MAX_LINKS:
            raise SandboxError(f"too many levels of symbolic links resolving {unsafe!r} in {root}")
        if target.startswith("/"):
            resolved = []
        parts = [p for p in target.split("/") if p and p != "."] + parts
    return os.path.join(root, *resolved) if resolved else root
