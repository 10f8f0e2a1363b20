"""The shared config.json and X-Registry-Auth module (used by the client side and the registry code)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sandbox.dockerconfig import (
    DOCKER_HUB_CONFIG_KEY,
    Credential,
    DockerConfig,
    config_key,
    registry_of_image,
)
from sandbox.errors import CredentialsError


@pytest.mark.parametrize("server, key", [
    (None, DOCKER_HUB_CONFIG_KEY), ("", DOCKER_HUB_CONFIG_KEY), ("docker.io", DOCKER_HUB_CONFIG_KEY),
    (DOCKER_HUB_CONFIG_KEY, DOCKER_HUB_CONFIG_KEY), ("127.0.0.1:5000", "127.0.0.1:5000"),
    ("http://Registry.Local:5000/v2/", "registry.local:5000"),
])
def test_config_key(server: str | None, key: str) -> None:
    assert config_key(server) == key


@pytest.mark.parametrize("image, key", [
    ("busybox", DOCKER_HUB_CONFIG_KEY), ("me/app:1", DOCKER_HUB_CONFIG_KEY),
    ("127.0.0.1:5000/app", "127.0.0.1:5000"), ("localhost/x", "localhost"), ("reg.example/a/b:2", "reg.example"),
])
def test_registry_of_image(image: str, key: str) -> None:
    assert registry_of_image(image) == key


def test_the_header_round_trips() -> None:
    cred = Credential("learner", "pw")
    assert Credential.from_x_registry_auth(cred.to_x_registry_auth("127.0.0.1:5000")) == cred
    assert Credential.from_x_registry_auth("e30=") is None
    with pytest.raises(CredentialsError):
        Credential.from_x_registry_auth("!!not base64!!")


def test_store_get_erase_and_foreign_keys_kept(tmp_path: Path) -> None:
    path = tmp_path / "config.json"
    path.write_text(json.dumps({"auths": {}, "credsStore": "desktop"}))
    config = DockerConfig(path)
    assert config.store("127.0.0.1:5000", Credential("u", "p")) == "127.0.0.1:5000"
    assert config.get("http://127.0.0.1:5000") == Credential("u", "p")
    assert path.stat().st_mode & 0o777 == 0o600
    assert json.loads(path.read_text())["credsStore"] == "desktop"
    assert config.erase("127.0.0.1:5000") and not config.erase("127.0.0.1:5000")
    assert config.get("127.0.0.1:5000") is None


def test_a_damaged_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "config.json"
    path.write_text("{not json")
    with pytest.raises(CredentialsError) as info:
        DockerConfig(path).get("r")
    assert str(path) in info.value.message
