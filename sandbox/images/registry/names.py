"""Where a reference lives: which registry to ask, over which scheme, for which repository.

``busybox`` is the official image on Docker Hub: its API host is ``DOCKER_HUB_API``, not
the domain people write (``DOCKER_HUB``), and its repository there is ``library/busybox``. A name whose
first component looks like a host (a dot, a port, or ``localhost``) names its registry.

Like Docker, a registry on the loopback (``localhost``, ``127.0.0.0/8``, ``::1``) is spoken
to over plain HTTP, since a local registry for lessons has no certificate; every other one
over HTTPS with the system's trust store, unless the caller lists it as insecure.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

from sandbox.errors import InvalidReference
from sandbox.storage import normalize_reference

DOCKER_HUB = "docker.io"
DOCKER_HUB_API = "registry-1.docker.io"
# The key Docker's config.json has always used for Docker Hub credentials.
DOCKER_HUB_CONFIG_KEY = "https://index.docker.io/v1/"
DOCKER_HUB_INDEX = "index.docker.io"
_HUB_ALIASES = frozenset({DOCKER_HUB, DOCKER_HUB_INDEX, DOCKER_HUB_API, "registry.hub.docker.com"})
_OFFICIAL = "library/"


def is_loopback(host: str) -> bool:
    """``host`` (with or without a port) is this machine: localhost, 127.0.0.0/8 or ::1."""
    name = host
    if name.startswith("["):
        name = name[1:].partition("]")[0]
    elif name.count(":") == 1:
        name = name.partition(":")[0]
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Registry:
    """One registry as the client talks to it."""

    name: str
    """As people write it: ``DOCKER_HUB`` for Docker Hub, ``127.0.0.1:5000``."""
    host: str
    """The API host (and port): ``DOCKER_HUB_API`` for Docker Hub, ``127.0.0.1:5000``."""
    secure: bool
    """HTTPS (True) or plain HTTP."""

    @property
    def scheme(self) -> str:
        return "https" if self.secure else "http"

    @property
    def base_url(self) -> str:
        return f"{self.scheme}://{self.host}"

    @property
    def is_docker_hub(self) -> bool:
        return self.name == DOCKER_HUB

    @property
    def config_key(self) -> str:
        """The key of this registry's entry in config.json ``auths``."""
        return DOCKER_HUB_CONFIG_KEY if self.is_docker_hub else self.name


def registry_for(address: str | None, insecure: Iterable[str] = ()) -> Registry:
    """The registry named by ``address`` as given to ``login``/``logout``/``search``:
    ``None``, ``DOCKER_HUB`` or ``DOCKER_HUB_CONFIG_KEY`` for Docker Hub, ``127.0.0.1:5000``,
    ``http://host:5000``."""
    text = (address or "").strip()
    scheme: str | None = None
    for prefix in ("http://", "https://"):
        if text.startswith(prefix):
            scheme, text = prefix[:-3], text[len(prefix):]
    host = text.split("/", 1)[0].lower()
    if not host or host in _HUB_ALIASES:
        return Registry(DOCKER_HUB, DOCKER_HUB_API, True)
    if any(c.isspace() for c in host) or host.startswith(":"):
        raise InvalidReference(address or "", "not a registry address (host[:port])")
    if scheme is not None:
        secure = scheme == "https"
    else:
        secure = not (is_loopback(host) or host in set(insecure))
    return Registry(host, host, secure)


@dataclass(frozen=True)
class RemoteReference:
    """An image reference resolved against its registry."""

    registry: Registry
    repository: str
    """The repository path at the registry: ``library/busybox``, ``me/app``, ``x``."""
    name: str
    """The short local name the store uses: ``busybox``, ``127.0.0.1:5000/x``."""
    tag: str | None
    digest: str | None

    @property
    def reference(self) -> str:
        """What goes after ``/manifests/``: the digest when there is one, else the tag."""
        ref = self.digest or self.tag
        assert ref is not None  # normalize_reference always gives one of them
        return ref

    @property
    def local_tag(self) -> str | None:
        """``name:tag`` as the store records it. None when pulled by digest: like Docker, a
        ``name:tag@digest`` reference fetches by digest and makes no tag."""
        return f"{self.name}:{self.tag}" if self.tag and not self.digest else None

    def __str__(self) -> str:
        if self.digest:
            return f"{self.name}@{self.digest}"
        return f"{self.name}:{self.tag}"


def parse_remote(text: str, insecure: Iterable[str] = ()) -> RemoteReference:
    """Resolve ``text`` (``busybox``, ``127.0.0.1:5000/x:1``, ``me/app@sha256:…``).

    Raises ``InvalidReference`` for a malformed reference."""
    ref = normalize_reference(text)
    first, sep, rest = ref.name.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost"):
        registry = registry_for(first, insecure)
        path = rest
    else:
        registry = registry_for(None)
        path = ref.name
    if registry.is_docker_hub and "/" not in path:
        path = _OFFICIAL + path
    return RemoteReference(registry=registry, repository=path, name=ref.name, tag=ref.tag, digest=ref.digest)
