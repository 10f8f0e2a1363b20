"""Image references the way docker shows them: ``busybox`` for the default registry's
``library/busybox``, and the full name the docker client sends to the engine."""

from __future__ import annotations

import re
from dataclasses import dataclass

DEFAULT_DOMAIN = "docker.io"
OFFICIAL_PREFIX = "library/"

_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*"
_DOMAIN = r"(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:]+\])(?::[0-9]+)?"
_REFERENCE = re.compile(
    rf"^(?P<name>(?:(?P<domain>{_DOMAIN})/)?{_COMPONENT}(?:/{_COMPONENT})*)"
    r"(?::(?P<tag>[\w][\w.-]{0,127}))?(?:@(?P<digest>[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}))?$")
_HEX64 = re.compile(r"^[a-f0-9]{64}$")


@dataclass(frozen=True)
class Reference:
    domain: str
    path: str
    tag: str | None
    digest: str | None

    @property
    def familiar_name(self) -> str:
        if self.domain != DEFAULT_DOMAIN:
            return f"{self.domain}/{self.path}"
        return self.path[len(OFFICIAL_PREFIX):] if self.path.startswith(OFFICIAL_PREFIX) else self.path

    def familiar(self, *, tag: bool = True, digest: bool = True) -> str:
        text = self.familiar_name
        if tag and self.tag:
            text += f":{self.tag}"
        if digest and self.digest:
            text += f"@{self.digest}"
        return text

    @property
    def full_name(self) -> str:
        return f"{self.domain}/{self.path}"


def parse_normalized(text: str) -> Reference | None:
    """distribution's ParseNormalizedNamed; None where it would fail (ids, bad names)."""
    if _HEX64.match(text):
        return None
    m = _REFERENCE.match(text)
    if not m:
        return None
    name = m.group("name")
    first, _, rest = name.partition("/")
    if rest and ("." in first or ":" in first or first == "localhost" or first != first.lower()):
        domain, path = first, rest
    else:
        domain, path = DEFAULT_DOMAIN, name
    if domain == "index.docker.io":
        domain = DEFAULT_DOMAIN
    if domain == DEFAULT_DOMAIN and "/" not in path:
        path = OFFICIAL_PREFIX + path
    if path != path.lower():
        return None
    return Reference(domain, path, m.group("tag"), m.group("digest"))


def split_repo_tag(text: str) -> tuple[str, str | None]:
    """``repo[:tag]`` → (repo, tag); a port in the domain is not a tag."""
    slash = text.rfind("/")
    colon = text.rfind(":")
    if colon > slash:
        return text[:colon], text[colon + 1:]
    return text, None
