"""Registry credentials for the registry client: ``sandbox.dockerconfig`` (shared with the
``docker`` commands, which keep the user's logins) with ``Registry`` objects accepted
wherever a registry is named.

    {"auths": {"127.0.0.1:5000": {"auth": "<base64 of user:password>"}}}
"""

from __future__ import annotations

from sandbox.dockerconfig import Credential, config_path
from sandbox.dockerconfig import DockerConfig as _SharedConfig
from sandbox.images.registry.names import Registry


def _server(registry: Registry | str | None) -> str | None:
    return registry.config_key if isinstance(registry, Registry) else registry


class DockerConfig(_SharedConfig):
    """One config.json (see ``sandbox.dockerconfig.DockerConfig``); a registry may be
    named by a ``Registry`` too."""

    def get(self, registry: Registry | str | None) -> Credential | None:  # type: ignore[override]
        return super().get(_server(registry))

    def store(self, registry: Registry | str | None, credential: Credential) -> str:  # type: ignore[override]
        return super().store(_server(registry), credential)

    def erase(self, registry: Registry | str | None) -> bool:  # type: ignore[override]
        return super().erase(_server(registry))


Auth = Credential | DockerConfig | _SharedConfig | None
"""What pull, push and search take: a credential to use as it is, a config.json to look the
registry up in (``DockerConfig.from_env()`` for the user's own), or None (anonymous)."""


def resolve_credential(auth: Auth, registry: Registry) -> Credential | None:
    if isinstance(auth, _SharedConfig):
        return auth.get(registry.config_key)
    return auth


__all__ = ["Auth", "Credential", "DockerConfig", "config_path", "resolve_credential"]
