"""Registry credentials in a docker-style ``config.json``, and the header that carries them.

    {"auths": {"127.0.0.1:5000": {"auth": "<base64 of user:password>"},
               "<DOCKER_HUB_CONFIG_KEY>": {"auth": "…", "identitytoken": "…"}}}

The file is the docker CLI's own (``$DOCKER_CONFIG/config.json``, else
``~/.docker/config.json``), so a login made with either tool serves both. Keys we do not
use (``credsStore``, ``proxies``, …) are kept as they are; the file is replaced atomically
and readable by its owner only, since it holds passwords in the clear (base64 is no cipher).

A client keeps the credentials and sends them with each pull and push in the
``X-Registry-Auth`` header; the engine reads that header and keeps nothing. Both sides use
this module, so it sits at the bottom of the package beside ``errors`` and ``config`` and
needs nothing but the standard library. Registries are named here by their config key:
the host (``127.0.0.1:5000``), or ``DOCKER_HUB_CONFIG_KEY`` for Docker Hub.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sandbox.errors import CredentialsError

# The key Docker's config.json has always used for Docker Hub credentials.
DOCKER_HUB_CONFIG_KEY = "https://index.docker.io/v1/"
DOCKER_HUB_HOSTS = frozenset({"docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"})


@dataclass(frozen=True)
class Credential:
    """What a client presents to a registry: a user and password, or a token from an
    earlier login (``identity_token`` is an OAuth2 refresh token, ``registry_token`` a
    bearer token used as it is)."""

    username: str = ""
    password: str = ""
    identity_token: str = ""
    registry_token: str = ""

    def basic(self) -> str:
        raw = f"{self.username}:{self.password}".encode()
        return "Basic " + base64.b64encode(raw).decode()

    @property
    def has_password(self) -> bool:
        return bool(self.username or self.password)

    @classmethod
    def from_x_registry_auth(cls, header: str | None) -> Credential | None:
        """The ``X-Registry-Auth`` header the docker CLI and SDK send with pull and push:
        base64url JSON ``{"username","password","serveraddress"}`` or ``{"identitytoken"}``.
        ``e30=`` (``{}``) and an absent header mean anonymous (None)."""
        if not header:
            return None
        padded = header.strip() + "=" * (-len(header.strip()) % 4)
        try:
            doc = json.loads(base64.urlsafe_b64decode(padded))
        except (ValueError, binascii.Error) as e:
            raise CredentialsError("X-Registry-Auth", f"not base64-encoded JSON: {e}") from e
        if not isinstance(doc, dict):
            raise CredentialsError("X-Registry-Auth", "not a JSON object")
        cred = cls(username=str(doc.get("username") or ""), password=str(doc.get("password") or ""),
                   identity_token=str(doc.get("identitytoken") or ""),
                   registry_token=str(doc.get("registrytoken") or ""))
        return cred if (cred.has_password or cred.identity_token or cred.registry_token) else None

    def to_x_registry_auth(self, server: str = "") -> str:
        """The header value for this credential, as the docker CLI encodes it."""
        doc: dict[str, str] = {}
        if self.has_password:
            doc.update(username=self.username, password=self.password)
        if self.identity_token:
            doc["identitytoken"] = self.identity_token
        if self.registry_token:
            doc["registrytoken"] = self.registry_token
        if server:
            doc["serveraddress"] = server
        return base64.urlsafe_b64encode(json.dumps(doc, separators=(",", ":")).encode()).decode()


ANONYMOUS_HEADER = "e30="
"""``X-Registry-Auth`` without credentials: base64 of ``{}``, what the docker CLI sends."""


def config_path(env: Mapping[str, str] | None = None) -> Path:
    """Where the docker CLI keeps config.json: ``$DOCKER_CONFIG/config.json`` or
    ``~/.docker/config.json``."""
    env = os.environ if env is None else env
    directory = env.get("DOCKER_CONFIG")
    if directory:
        return Path(directory) / "config.json"
    home = env.get("HOME") or str(Path.home())
    return Path(home) / ".docker" / "config.json"


def host_of(key: str) -> str:
    """Docker's ConvertToHostname: ``https://host:5000/v2/`` and ``host:5000`` match."""
    return key.removeprefix("http://").removeprefix("https://").split("/", 1)[0].lower()


def config_key(server: str | None) -> str:
    """The key a registry's entry has in ``auths``: the host, or Docker Hub's URL for
    Docker Hub (None, ``docker.io``, or the URL itself)."""
    host = host_of(server or "")
    if not host or host in DOCKER_HUB_HOSTS:
        return DOCKER_HUB_CONFIG_KEY
    return host


def registry_of_image(image: str) -> str:
    """The config key of the registry an image name lives in: ``127.0.0.1:5000/app`` →
    ``127.0.0.1:5000``; ``busybox`` and ``me/app`` → Docker Hub."""
    first, sep, _ = image.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost"):
        return config_key(first)
    return DOCKER_HUB_CONFIG_KEY


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class DockerConfig:
    """One config.json. Each call reads the file afresh, so two processes (our CLI and the
    docker CLI) do not overwrite each other's newer entries with stale ones. Registries
    are named as ``config_key`` reads them (``None`` is Docker Hub)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> DockerConfig:
        return cls(config_path(env))

    def _read(self) -> dict[str, Any]:
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return {}
        except OSError as e:
            raise CredentialsError(str(self.path), f"cannot read it: {e.strerror}") from e
        if not data.strip():
            return {}
        try:
            doc = json.loads(data)
        except ValueError as e:
            raise CredentialsError(str(self.path), f"not valid JSON: {e}",
                                   "fix or remove the file, then log in again") from e
        if not isinstance(doc, dict) or not isinstance(doc.get("auths", {}), dict):
            raise CredentialsError(str(self.path), "not a docker config (\"auths\" must be an object)",
                                   "fix or remove the file, then log in again")
        return doc

    def _write(self, doc: dict[str, Any]) -> None:
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            _write_atomic(self.path, json.dumps(doc, indent="\t").encode() + b"\n")
        except OSError as e:
            raise CredentialsError(str(self.path), f"cannot write it: {e.strerror}") from e

    @staticmethod
    def _find(auths: dict[str, Any], wanted: str) -> str | None:
        if wanted in auths:
            return wanted
        hosts = {host_of(wanted)}
        if wanted == DOCKER_HUB_CONFIG_KEY:
            hosts |= DOCKER_HUB_HOSTS
        return next((key for key in auths if host_of(key) in hosts), None)

    def get(self, server: str | None) -> Credential | None:
        wanted = config_key(server)
        auths = self._read().get("auths", {})
        key = self._find(auths, wanted)
        if key is None:
            return None
        entry = auths[key]
        if not isinstance(entry, dict):
            raise CredentialsError(str(self.path), f"the entry for {key} is not an object")
        username, password = str(entry.get("username") or ""), str(entry.get("password") or "")
        shown = "Docker Hub" if wanted == DOCKER_HUB_CONFIG_KEY else wanted
        if entry.get("auth"):
            try:
                decoded = base64.b64decode(str(entry["auth"]), validate=True).decode()
            except (ValueError, binascii.Error) as e:
                raise CredentialsError(str(self.path), f"the auth of {key} is not base64 of user:password",
                                       f"log in to {shown} again") from e
            username, sep, password = decoded.partition(":")
            if not sep:
                raise CredentialsError(str(self.path), f"the auth of {key} has no ':' between user and "
                                                       "password", f"log in to {shown} again")
        cred = Credential(username=username, password=password,
                          identity_token=str(entry.get("identitytoken") or ""),
                          registry_token=str(entry.get("registrytoken") or ""))
        return cred if (cred.has_password or cred.identity_token or cred.registry_token) else None

    def store(self, server: str | None, credential: Credential) -> str:
        """Save ``credential`` for ``server``; returns the key it is stored under."""
        wanted = config_key(server)
        doc = self._read()
        auths = doc.setdefault("auths", {})
        old = self._find(auths, wanted)
        if old is not None and old != wanted:
            del auths[old]
        entry: dict[str, str] = {}
        if credential.has_password:
            raw = f"{credential.username}:{credential.password}".encode()
            entry["auth"] = base64.b64encode(raw).decode()
        if credential.identity_token:
            entry["identitytoken"] = credential.identity_token
        auths[wanted] = entry
        self._write(doc)
        return wanted

    def erase(self, server: str | None) -> bool:
        """Forget the credentials of ``server``; False if there were none."""
        doc = self._read()
        auths = doc.get("auths", {})
        key = self._find(auths, config_key(server))
        if key is None:
            return False
        del auths[key]
        self._write(doc)
        return True
