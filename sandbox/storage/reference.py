"""Image references: ``[registry/]name[:tag][@digest]``, normalised the way Docker shows them.

One function, ``normalize_reference``, is used everywhere a reference enters the store, so
``busybox``, ``busybox:latest``, ``library/busybox`` and the fully qualified name on the
default registry all land on the same tag: ``busybox:latest``. That short form is also what
goes into the OCI ``org.opencontainers.image.ref.name`` annotation, so other tools address
our images as ``oci:ROOT:busybox:latest``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sandbox.errors import InvalidReference

DEFAULT_TAG = "latest"
# The default registry's names, and the namespace its official images live in. A reference
# on it is shown without them, as Docker does.
_DEFAULT_DOMAINS = ("docker.io", "index.docker.io")
_OFFICIAL_NAMESPACE = "library/"

_COMPONENT = re.compile(r"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$")
_DOMAIN = re.compile(
    r"^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
    r"(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::[0-9]+)?$"
)
_TAG = re.compile(r"^[\w][\w.-]{0,127}$")
_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
_MAX_NAME = 255


@dataclass(frozen=True)
class Reference:
    """A parsed reference. ``name`` is the short repository name (``busybox``,
    ``me/app``, ``localhost:5000/app``); at least one of ``tag`` and ``digest`` is set."""

    name: str
    tag: str | None = None
    digest: str | None = None

    def __str__(self) -> str:
        out = self.name
        if self.tag:
            out += f":{self.tag}"
        if self.digest:
            out += f"@{self.digest}"
        return out

    @property
    def tagged(self) -> str | None:
        """``name:tag``, the form stored as a tag, or None for a digest-only reference."""
        return f"{self.name}:{self.tag}" if self.tag else None


def _split_domain(name: str) -> tuple[str | None, str]:
    first, sep, rest = name.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost"):
        return first, rest
    return None, name


def normalize_reference(text: str) -> Reference:
    """Parse and normalise ``text``; a reference with neither tag nor digest gets ``latest``.

    Raises ``InvalidReference`` naming what is wrong."""
    if not text or text != text.strip():
        raise InvalidReference(text, "empty or surrounded by spaces")
    remainder, _, digest = text.partition("@")
    if digest and not _DIGEST.match(digest):
        raise InvalidReference(text, "the digest must be sha256: and 64 lower-case hex digits")
    tag: str | None = None
    # A tag's colon comes after the last slash; an earlier colon belongs to a registry port.
    slash = remainder.rfind("/")
    colon = remainder.rfind(":")
    if colon > slash:
        remainder, tag = remainder[:colon], remainder[colon + 1:]
        if not _TAG.match(tag):
            raise InvalidReference(text, f"bad tag {tag!r}")
    domain, path = _split_domain(remainder)
    if domain is not None and not _DOMAIN.match(domain):
        raise InvalidReference(text, f"bad registry {domain!r}")
    if not path:
        raise InvalidReference(text, "no repository name")
    for component in path.split("/"):
        if not _COMPONENT.match(component):
            raise InvalidReference(text, f"bad name component {component!r} (lower-case letters, digits, "
                                         "and . _ - between them)")
    if domain in _DEFAULT_DOMAINS:
        domain = None
    if domain is None and path.startswith(_OFFICIAL_NAMESPACE) and path.count("/") == 1:
        path = path[len(_OFFICIAL_NAMESPACE):]
    name = f"{domain}/{path}" if domain else path
    if len(name) > _MAX_NAME:
        raise InvalidReference(text, f"the name is longer than {_MAX_NAME} characters")
    if tag is None and not digest:
        tag = DEFAULT_TAG
    return Reference(name=name, tag=tag, digest=digest or None)


def is_digest(text: str) -> bool:
    return bool(_DIGEST.match(text))
