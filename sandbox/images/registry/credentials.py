"""Registry credentials in a docker-style ``config.json``.

    {"auths": {"127.0.0.1:5000": {"auth": "<base64 of user:password>"},
               "<DOCKER_HUB_CONFIG_KEY>": {"auth": "…", "identitytoken": "…"}}}

The file is the docker CLI's own (``$DOCKER_CONFIG/config.json``, else
``~/.docker/config.json``), so a login made with either tool serves both. Keys we do not
use (``credsStore``, ``proxies``, …) are kept as they are; the file is replaced atomically
and readable by its owner only, since it holds passwords in the clear (base64 is no cipher).
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sandbox.errors import CredentialsError
from sandbox.images.registry.names import DOCKER_HUB, DOCKER_HUB_API, DOCKER_HUB_INDEX, Registry, registry_for
from sandbox.storage.atomic import write_atomic


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


def config_path(env: Mapping[str, str] | None = None) -> Path:
    """Where the docker CLI keeps config.json: ``$DOCKER_CONFIG/config.json`` or
    ``~/.docker/config.json``."""
    env = os.environ if env is None else env
    directory = env.get("DOCKER_CONFIG")
    if directory:
        return Path(directory) / "config.json"
    home = env.get("HOME") or str(Path.home())
    return Path(home) / ".docker" / "config.json"


def _host_of(key: str) -> str:
    """Docker's ConvertToHostname: ``https://host:5000/v2/`` and ``host:5000`` match."""
    return key.removeprefix("http://").removeprefix("https://").split("/", 1)[0].lower()


class DockerConfig:
    """One config.json. Each call reads the file afresh, so two processes (our CLI and the
    docker CLI) do not overwrite each other's newer entries with stale ones."""

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
            write_atomic(self.path, json.dumps(doc, indent="\t").encode() + b"\n", fsync=True, mode=0o600)
        except OSError as e:
            raise CredentialsError(str(self.path), f"cannot write it: {e.strerror}") from e

    def _key(self, auths: dict[str, Any], registry: Registry) -> str | None:
        wanted = registry.config_key
        if wanted in auths:
            return wanted
        hosts = {registry.name.lower()}
        if registry.is_docker_hub:
            hosts |= {DOCKER_HUB_INDEX, DOCKER_HUB, DOCKER_HUB_API}
        for key in auths:
            if _host_of(key) in hosts:
                return key
        return None

    def get(self, registry: Registry | str | None) -> Credential | None:
        reg = registry if isinstance(registry, Registry) else registry_for(registry)
        auths = self._read().get("auths", {})
        key = self._key(auths, reg)
        if key is None:
            return None
        entry = auths[key]
        if not isinstance(entry, dict):
            raise CredentialsError(str(self.path), f"the entry for {key} is not an object")
        username, password = str(entry.get("username") or ""), str(entry.get("password") or "")
        if entry.get("auth"):
            try:
                decoded = base64.b64decode(str(entry["auth"]), validate=True).decode()
            except (ValueError, binascii.Error) as e:
                raise CredentialsError(str(self.path), f"the auth of {key} is not base64 of user:password",
                                       f"log in to {reg.name} again") from e
            username, sep, password = decoded.partition(":")
            if not sep:
                raise CredentialsError(str(self.path), f"the auth of {key} has no ':' between user and "
                                                       "password", f"log in to {reg.name} again")
        cred = Credential(username=username, password=password,
                          identity_token=str(entry.get("identitytoken") or ""),
                          registry_token=str(entry.get("registrytoken") or ""))
        return cred if (cred.has_password or cred.identity_token or cred.registry_token) else None

    def store(self, registry: Registry | str | None, credential: Credential) -> str:
        """Save ``credential`` for ``registry``; returns the key it is stored under."""
        reg = registry if isinstance(registry, Registry) else registry_for(registry)
        doc = self._read()
        auths = doc.setdefault("auths", {})
        old = self._key(auths, reg)
        if old is not None and old != reg.config_key:
            del auths[old]
        entry: dict[str, str] = {}
        if credential.has_password:
            raw = f"{credential.username}:{credential.password}".encode()
            entry["auth"] = base64.b64encode(raw).decode()
        if credential.identity_token:
            entry["identitytoken"] = credential.identity_token
        auths[reg.config_key] = entry
        self._write(doc)
        return reg.config_key

    def erase(self, registry: Registry | str | None) -> bool:
        """Forget the credentials of ``registry``; False if there were none."""
        reg = registry if isinstance(registry, Registry) else registry_for(registry)
        doc = self._read()
        auths = doc.get("auths", {})
        key = self._key(auths, reg)
        if key is None:
            return False
        del auths[key]
        self._write(doc)
        return True


Auth = Credential | DockerConfig | None
"""What pull, push and search take: a credential to use as it is, a config.json to look the
registry up in (``DockerConfig.from_env()`` for the user's own), or None (anonymous)."""


def resolve_credential(auth: Auth, registry: Registry) -> Credential | None:
    if isinstance(auth, DockerConfig):
        return auth.get(registry)
    return auth
