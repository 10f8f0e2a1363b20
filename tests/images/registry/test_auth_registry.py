"""Login, logout and protected repositories against docker-registry with htpasswd auth."""

from __future__ import annotations

import base64
import json
import stat
from pathlib import Path

import pytest

from sandbox.errors import RegistryUnauthorized
from sandbox.images.registry import Credential, DockerConfig, login, logout, pull, push, search
from sandbox.storage import Image, Store
from tests.images.registry.conftest import PASSWORD, USER, RunningRegistry


def test_wrong_password_fails_clearly_and_stores_nothing(protected_registry: RunningRegistry,
                                                         docker_config: Path) -> None:
    config = DockerConfig.from_env()
    with pytest.raises(RegistryUnauthorized) as e:
        login(protected_registry.address, USER, "not-the-password", config=config)
    assert str(e.value) == f"login to {protected_registry.address} failed: unauthorized: incorrect username " \
                           "or password"
    assert e.value.hint
    assert not (docker_config / "config.json").exists()
    with pytest.raises(RegistryUnauthorized):
        login(protected_registry.address, "nobody", PASSWORD, config=config)


def test_login_stores_and_logout_removes(protected_registry: RunningRegistry, docker_config: Path) -> None:
    config = DockerConfig.from_env()
    (docker_config).mkdir()
    (docker_config / "config.json").write_text(json.dumps({"auths": {}, "detachKeys": "ctrl-q"}))
    result = login(protected_registry.address, USER, PASSWORD, config=config)
    assert result.status == "Login Succeeded"
    path = docker_config / "config.json"
    doc = json.loads(path.read_text())
    assert doc["detachKeys"] == "ctrl-q"  # keys that are not ours survive
    assert base64.b64decode(doc["auths"][protected_registry.address]["auth"]).decode() == f"{USER}:{PASSWORD}"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert config.get(protected_registry.address) == Credential(USER, PASSWORD)

    assert logout(protected_registry.address, config=config) is True
    assert json.loads(path.read_text())["auths"] == {}
    assert logout(protected_registry.address, config=config) is False


def test_protected_pull_and_push_need_login(protected_registry: RunningRegistry, store: Store, busybox: Image,
                                            docker_config: Path, tmp_path: Path) -> None:
    ref = protected_registry.ref("private/busybox:1")
    store.tag(busybox, ref)
    config = DockerConfig.from_env()
    with pytest.raises(RegistryUnauthorized) as e:
        push(store, ref, auth=config)
    assert "authentication required" in str(e.value)
    assert e.value.hint == f"log in first: docker login {protected_registry.address}"

    login(protected_registry.address, USER, PASSWORD, config=config)
    result = push(store, ref, auth=config)
    other = Store(tmp_path / "other", "copy")
    assert pull(other, ref, auth=config).manifest_digest == result.digest
    assert [r.name for r in search(f"{protected_registry.address}/busy", auth=config)] == [
        protected_registry.ref("private/busybox")]

    logout(protected_registry.address, config=config)
    refused = Store(tmp_path / "refused", "copy")
    with pytest.raises(RegistryUnauthorized) as e:
        pull(refused, ref, auth=config)
    assert str(e.value).startswith(f"pull access denied for {protected_registry.address}/private/busybox, "
                                   "repository does not exist or may require 'docker login'")
    assert refused.images() == [] and refused.layout.blobs() == []


def test_a_wrong_stored_password_is_named(protected_registry: RunningRegistry, store: Store,
                                          busybox: Image) -> None:
    ref = protected_registry.ref("x:1")
    store.tag(busybox, ref)
    with pytest.raises(RegistryUnauthorized) as e:
        push(store, ref, auth=Credential(USER, "stale"))
    assert "incorrect username or password" in str(e.value)
