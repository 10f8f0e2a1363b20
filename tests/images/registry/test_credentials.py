"""config.json: where it is, what is read and written, and what a damaged one says."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from sandbox.errors import CredentialsError
from sandbox.images.registry import Credential, DockerConfig, config_path
from sandbox.images.registry.names import DOCKER_HUB_CONFIG_KEY


def test_config_path_follows_docker_config() -> None:
    assert config_path({"DOCKER_CONFIG": "/cfg", "HOME": "/home/u"}) == Path("/cfg/config.json")
    assert config_path({"HOME": "/home/u"}) == Path("/home/u/.docker/config.json")


def test_store_get_erase(tmp_path: Path) -> None:
    config = DockerConfig(tmp_path / "d" / "config.json")
    assert config.get("127.0.0.1:5000") is None
    assert config.store("127.0.0.1:5000", Credential("u", "p:with:colons")) == "127.0.0.1:5000"
    assert config.store(None, Credential("hub", "pw")) == DOCKER_HUB_CONFIG_KEY
    assert config.get("127.0.0.1:5000") == Credential("u", "p:with:colons")
    assert config.get("http://127.0.0.1:5000/v2/") == Credential("u", "p:with:colons")
    assert config.get("docker.io") == Credential("hub", "pw")
    assert (tmp_path / "d").stat().st_mode & 0o777 == 0o700
    assert config.erase("127.0.0.1:5000") is True
    assert config.get("127.0.0.1:5000") is None and config.erase("127.0.0.1:5000") is False


def test_entries_written_by_the_docker_cli_are_read(tmp_path: Path) -> None:
    path = tmp_path / "config.json"
    auth = base64.b64encode(b"alice:secret").decode()
    path.write_text(json.dumps({"auths": {"https://127.0.0.1:5000": {"auth": auth},
                                          "index.docker.io": {"identitytoken": "refresh"}},
                                "credsStore": "desktop"}))
    config = DockerConfig(path)
    assert config.get("127.0.0.1:5000") == Credential("alice", "secret")
    assert config.get(None) == Credential(identity_token="refresh")
    config.store("127.0.0.1:5000", Credential("bob", "x"))
    doc = json.loads(path.read_text())
    assert list(doc["auths"]) == ["index.docker.io", "127.0.0.1:5000"]  # the old spelling replaced
    assert doc["credsStore"] == "desktop"


@pytest.mark.parametrize("content", ["{not json", '{"auths": []}', '{"auths": {"r": {"auth": "%%%"}}}',
                                     '{"auths": {"r": {"auth": "' + base64.b64encode(b"nocolon").decode() + '"}}}'])
def test_a_damaged_config_is_named(tmp_path: Path, content: str) -> None:
    path = tmp_path / "config.json"
    path.write_text(content)
    with pytest.raises(CredentialsError) as e:
        DockerConfig(path).get("r")
    assert str(path) in str(e.value) and e.value.hint


def test_x_registry_auth_header() -> None:
    def encode(doc: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(doc).encode()).decode().rstrip("=")

    assert Credential.from_x_registry_auth(None) is None
    assert Credential.from_x_registry_auth("e30=") is None  # {} from an anonymous docker pull
    assert Credential.from_x_registry_auth(encode({"username": "u", "password": "p", "serveraddress": "r"})) == \
        Credential("u", "p")
    assert Credential.from_x_registry_auth(encode({"identitytoken": "t"})) == Credential(identity_token="t")
    with pytest.raises(CredentialsError):
        Credential.from_x_registry_auth("!!not base64!!")
