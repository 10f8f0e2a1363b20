"""Where a cgroup lives: ``<parent>/<name>`` relative to each hierarchy's root."""

from __future__ import annotations

from sandbox.errors import CgroupError


def relative_path(parent: str, name: str) -> str:
    """Join parent and name into a path inside the hierarchy, refusing anything that could
    leave the parent (``..``), empty parts, and NUL. A leading ``/`` (OCI ``cgroupsPath``
    style) is taken as relative to the parent: we never write outside it."""
    if not parent.strip("/"):
        raise CgroupError("the cgroup parent must not be the root of the hierarchy", parent or "/",
                          "use a parent like `sandbox`: we only ever write below it")
    parts: list[str] = []
    for label, value in (("parent", parent), ("name", name)):
        if "\0" in value:
            raise CgroupError(f"cgroup {label} contains NUL", repr(value))
        pieces = value.strip("/").split("/")
        if value.strip("/") == "":
            raise CgroupError(f"empty cgroup {label}", repr(value), "give the container's id")
        for piece in pieces:
            if piece in ("", ".", ".."):
                raise CgroupError(f"cgroup {label} has a bad component {piece!r}", value,
                                  "use plain names separated by /; `..` could leave the parent")
            parts.append(piece)
    return "/".join(parts)
