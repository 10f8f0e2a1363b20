"""The registry package's public names, and that importing it stays cheap."""

from __future__ import annotations

import subprocess
import sys

import sandbox.images.registry


def test_exported_names() -> None:
    assert sorted(sandbox.images.registry.__all__) == [
        "Auth", "Credential", "DockerConfig", "FetchedManifest", "HttpTransport", "LoginResult", "Platform",
        "ProgressCallback", "ProgressEvent", "ProgressRenderer", "PushResult", "Registry", "RegistryClient",
        "RemoteReference", "Response", "SearchResult", "Transport", "check_login", "config_path",
        "error_message", "login", "logout", "parse_remote", "progress_bar", "pull", "push", "registry_for",
        "search",
    ]  # fmt: skip
    for name in sandbox.images.registry.__all__:
        assert getattr(sandbox.images.registry, name) is not None


def test_import_does_not_load_the_network_stack() -> None:
    code = ("import sys, sandbox.images.registry; "
            "print(','.join(m for m in ('http.client', 'ssl', 'tarfile') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == ""
