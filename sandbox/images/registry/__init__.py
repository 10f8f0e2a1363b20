"""sandbox.images.registry: pull, push, login and search against a distribution API v2 registry.

    pull(store, "127.0.0.1:5000/app:1", progress=render, auth=DockerConfig.from_env()) -> Image
    push(store, "127.0.0.1:5000/app:1", progress=render, auth=...)                   -> PushResult
    login("127.0.0.1:5000", "user", "pass", config=DockerConfig.from_env())          -> LoginResult
    search("127.0.0.1:5000/app")                                                      -> [SearchResult]

Only the standard library's ``http.client`` talks to the network, through a ``Transport``
that tests replace. Failures are ``RegistryError`` subclasses (see ``sandbox.errors``).
The public names are re-exported here; the modules behind them are details.
"""

from __future__ import annotations

from sandbox.images.registry.client import FetchedManifest, RegistryClient
from sandbox.images.registry.credentials import Auth, Credential, DockerConfig, config_path
from sandbox.images.registry.login import LoginResult, check_login, login, logout
from sandbox.images.registry.names import Registry, RemoteReference, parse_remote, registry_for
from sandbox.images.registry.platform import Platform
from sandbox.images.registry.progress import (
    ProgressCallback,
    ProgressEvent,
    ProgressRenderer,
    error_message,
    progress_bar,
)
from sandbox.images.registry.pull import pull
from sandbox.images.registry.push import PushResult, push
from sandbox.images.registry.search import SearchResult, search
from sandbox.images.registry.transport import HttpTransport, Response, Transport

__all__ = [
    "Auth",
    "Credential",
    "DockerConfig",
    "FetchedManifest",
    "HttpTransport",
    "LoginResult",
    "Platform",
    "ProgressCallback",
    "ProgressEvent",
    "ProgressRenderer",
    "PushResult",
    "Registry",
    "RegistryClient",
    "RemoteReference",
    "Response",
    "SearchResult",
    "Transport",
    "check_login",
    "config_path",
    "error_message",
    "login",
    "logout",
    "parse_remote",
    "progress_bar",
    "pull",
    "push",
    "registry_for",
    "search",
]
