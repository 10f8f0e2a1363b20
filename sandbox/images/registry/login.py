"""``docker login`` / ``docker logout``: check credentials against a registry, keep them in
config.json, forget them.

The check is the one the docker daemon makes for ``POST /auth``: ``GET /v2/``, answer the
challenge with the credentials (Basic: retry with them; Bearer: ask the token server with
them), and see that the registry lets us in. A registry that asks for nothing accepts any
login, as with Docker.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sandbox.errors import RegistryUnauthorized
from sandbox.images.registry.auth import WRONG_PASSWORD
from sandbox.images.registry.client import RegistryClient
from sandbox.images.registry.credentials import Credential, DockerConfig
from sandbox.images.registry.names import registry_for
from sandbox.images.registry.transport import Transport

LOGIN_SUCCEEDED = "Login Succeeded"


@dataclass
class LoginResult:
    registry: str
    """The key the credentials are kept under (``127.0.0.1:5000``, Docker Hub's URL)."""
    status: str = LOGIN_SUCCEEDED
    identity_token: str = ""


def check_login(registry: str | None, credential: Credential, *, transport: Transport | None = None,
                insecure: Iterable[str] = ()) -> LoginResult:
    """Verify ``credential`` against ``registry`` (None: Docker Hub) without storing it: what
    the engine's ``POST /auth`` does. Raises ``RegistryUnauthorized`` for a wrong password."""
    reg = registry_for(registry, insecure)
    if not credential.has_password and not credential.identity_token:
        raise RegistryUnauthorized(reg.name, f"login to {reg.name}: a username and a password are needed",
                                   400, None, "docker login -u USER --password-stdin " + reg.name)
    with RegistryClient(reg, credential, transport) as client:
        try:
            client.ping()
        except RegistryUnauthorized as e:
            wrong = e.detail == WRONG_PASSWORD or e.http_status == 401
            raise RegistryUnauthorized(reg.name, f"login to {reg.name} failed: "
                                                 f"{WRONG_PASSWORD if wrong else e.detail}",
                                       e.http_status, e.code, "check the user name and password", e.detail) from e
    return LoginResult(registry=reg.config_key)


def login(registry: str | None, username: str, password: str, *, config: DockerConfig,
          transport: Transport | None = None, insecure: Iterable[str] = ()) -> LoginResult:
    """Check the credentials, then store them in ``config`` (nothing is stored on failure)."""
    credential = Credential(username=username, password=password)
    result = check_login(registry, credential, transport=transport, insecure=insecure)
    result.registry = config.store(registry_for(registry, insecure), credential)
    return result


def logout(registry: str | None, *, config: DockerConfig) -> bool:
    """Forget the credentials for ``registry``; False if none were stored (Docker then
    says "Not logged in to …" and still succeeds)."""
    return config.erase(registry_for(registry))
