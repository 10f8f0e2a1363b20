"""Answer a registry's authentication challenge, as the Docker client does.

A registry that wants credentials answers 401 with ``WWW-Authenticate``:

- ``Basic realm=…`` (distribution with htpasswd): send the user and password with every
  request from then on.
- ``Bearer realm=URL,service=S,scope=…`` (Docker Hub, and registries behind a token
  server): ask URL for a token for that service and scope — anonymously, or with the
  user's password as Basic auth, or with a refresh token by OAuth2 POST — then send
  ``Authorization: Bearer <token>``. Tokens are cached per scope until they expire.

Once a registry has challenged us, requests carry the answer up front, which saves a 401
round trip on every call.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from sandbox.errors import RegistryProtocolError, RegistryUnauthorized
from sandbox.images.registry.challenge import Challenge, parse_challenges
from sandbox.images.registry.credentials import Credential
from sandbox.images.registry.names import Registry
from sandbox.images.registry.transport import Transport

# Docker Hub tokens last 300 s; if the server does not say, assume the least the token
# specification allows (60 s) and renew a little early.
_DEFAULT_TTL = 60.0
_MARGIN = 5.0
_MAX_TOKEN_RESPONSE = 1 << 20
WRONG_PASSWORD = "unauthorized: incorrect username or password"


@dataclass
class _Token:
    value: str
    expires: float


def pull_scope(repository: str) -> str:
    return f"repository:{repository}:pull"


def push_scope(repository: str) -> str:
    return f"repository:{repository}:pull,push"


CATALOG_SCOPE = "registry:catalog:*"


class Authenticator:
    def __init__(self, registry: Registry, credential: Credential | None, transport: Transport,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.registry = registry
        self.credential = credential
        self.transport = transport
        self._clock = clock
        self._challenge: Challenge | None = None
        self._tokens: dict[str, _Token] = {}

    @property
    def scheme(self) -> str | None:
        """``basic`` or ``bearer`` once the registry has challenged us, else None."""
        return self._challenge.scheme if self._challenge else None

    def header(self, scope: str) -> str | None:
        """The Authorization value to send up front, if we already know one."""
        if self._challenge is None:
            return None
        if self._challenge.scheme == "basic":
            return self.credential.basic() if self.credential and self.credential.has_password else None
        token = self._tokens.get(scope)
        if token is not None and token.expires > self._clock():
            return f"Bearer {token.value}"
        return None

    def answer(self, www_authenticate: str | None, scope: str) -> str:
        """The Authorization value that answers a 401 with this ``WWW-Authenticate``.

        Raises ``RegistryUnauthorized`` when there is nothing we can answer with."""
        challenges = parse_challenges(www_authenticate or "")
        by_scheme = {c.scheme: c for c in challenges}
        challenge = by_scheme.get("bearer") or by_scheme.get("basic")
        if challenge is None:
            raise RegistryUnauthorized(self.registry.name,
                                       f"{self.registry.name} asks for authentication with an unsupported "
                                       f"scheme: {www_authenticate!r}", 401, "UNAUTHORIZED")
        self._challenge = challenge
        if challenge.scheme == "basic":
            if self.credential is None or not self.credential.has_password:
                raise self.not_logged_in()
            return self.credential.basic()
        if self.credential is not None and self.credential.registry_token:
            return f"Bearer {self.credential.registry_token}"
        token = self._fetch_token(challenge, scope)
        return f"Bearer {token}"

    def not_logged_in(self) -> RegistryUnauthorized:
        return RegistryUnauthorized(self.registry.name, "unauthorized: authentication required", 401,
                                    "UNAUTHORIZED", f"log in first: docker login {self.registry.name}")

    def _fetch_token(self, challenge: Challenge, scope: str) -> str:
        realm = challenge.get("realm")
        if not realm or urlsplit(realm).scheme not in ("http", "https"):
            raise RegistryProtocolError(self.registry.name, f"the bearer challenge has no usable realm: {realm!r}")
        # Our scope may name several (a mount needs pull on the source repository too).
        scopes = list(dict.fromkeys(scope.split() + (challenge.get("scope") or "").split()))
        params: list[tuple[str, str]] = []
        if challenge.get("service"):
            params.append(("service", challenge.get("service") or ""))
        params += [("scope", s) for s in scopes]
        cred = self.credential
        if cred is not None and cred.identity_token:
            # OAuth2 refresh-token grant, as ``docker login`` stored it.
            form = urlencode([("grant_type", "refresh_token"), ("refresh_token", cred.identity_token),
                              ("client_id", "sandbox"), *params]).encode()
            resp = self.transport.request("POST", realm, {
                "Content-Type": "application/x-www-form-urlencoded", "Content-Length": str(len(form))}, form)
        else:
            headers = {"Accept": "application/json"}
            if cred is not None and cred.has_password:
                headers["Authorization"] = cred.basic()
            sep = "&" if "?" in realm else "?"
            resp = self.transport.request("GET", realm + (sep + urlencode(params) if params else ""), headers)
        with resp:
            body = resp.read(_MAX_TOKEN_RESPONSE)
            if resp.status in (401, 403):
                if cred is not None and (cred.has_password or cred.identity_token):
                    raise RegistryUnauthorized(self.registry.name, WRONG_PASSWORD, resp.status, "UNAUTHORIZED",
                                               f"check the user and password, then: docker login {self.registry.name}")
                raise self.not_logged_in()
            if resp.status != 200:
                raise RegistryProtocolError(self.registry.name, f"the token server {realm} answered "
                                                                f"{resp.status} {resp.reason}", resp.status)
        try:
            doc = json.loads(body)
        except ValueError as e:
            raise RegistryProtocolError(self.registry.name, f"the token server's answer is not JSON: {e}") from e
        value = doc.get("token") or doc.get("access_token") if isinstance(doc, dict) else None
        if not isinstance(value, str) or not value:
            raise RegistryProtocolError(self.registry.name, "the token server's answer has no token")
        ttl = doc.get("expires_in")
        ttl = float(ttl) if isinstance(ttl, (int, float)) and ttl > 0 else _DEFAULT_TTL
        self._tokens[scope] = _Token(value, self._clock() + max(ttl - _MARGIN, 1.0))
        return value
