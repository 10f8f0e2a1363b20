"""Image references as the engine compares them (kept tiny: the fake docker stub imports it)."""

from __future__ import annotations


def normalize_ref(ref: str) -> str:
    """``docker.io/library/busybox`` and ``busybox`` are the same name; no tag means latest."""
    name = ref
    for prefix in ("docker.io/library/", "index.docker.io/library/", "docker.io/", "index.docker.io/"):
        if name.startswith(prefix):
            name = name[len(prefix) :]
            break
    name = name.removeprefix("library/")
    if "@" in name:
        return name
    last = name.rsplit("/", 1)[-1]
    return name if ":" in last else f"{name}:latest"
