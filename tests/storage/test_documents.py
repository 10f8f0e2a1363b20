"""ImageConfig, Manifest and Index round trips, keeping what we do not model."""

from __future__ import annotations

import json

import pytest

from sandbox.errors import StorageError
from sandbox.storage import mediatypes as mt
from sandbox.storage.imageconfig import HistoryEntry, ImageConfig
from sandbox.storage.oci import Descriptor, Index, Manifest

D1 = "sha256:" + "1" * 64
D2 = "sha256:" + "2" * 64

DOCKER_STYLE = {
    "architecture": "amd64",
    "os": "linux",
    "created": "2024-01-02T03:04:05Z",
    "author": "me",
    "os.version": "x",
    "config": {
        "Env": ["PATH=/usr/bin:/bin", "A=b=c"],
        "Cmd": ["nginx", "-g", "daemon off;"],
        "Entrypoint": ["/docker-entrypoint.sh"],
        "WorkingDir": "/srv",
        "User": "101:101",
        "ExposedPorts": {"80/tcp": {}, "443/tcp": {}},
        "Volumes": {"/data": {}},
        "Labels": {"maintainer": "x"},
        "StopSignal": "SIGQUIT",
        "Healthcheck": {"Test": ["CMD", "true"]},
    },
    "rootfs": {"type": "layers", "diff_ids": [D1, D2]},
    "history": [
        {"created": "2024-01-01T00:00:00Z", "created_by": "ADD rootfs"},
        {"created_by": "ENV A=b=c", "empty_layer": True},
    ],
}


def test_image_config_fields() -> None:
    cfg = ImageConfig.from_dict(DOCKER_STYLE)
    assert cfg.env == ["PATH=/usr/bin:/bin", "A=b=c"]
    assert cfg.env_dict() == {"PATH": "/usr/bin:/bin", "A": "b=c"}
    assert cfg.cmd == ["nginx", "-g", "daemon off;"]
    assert cfg.entrypoint == ["/docker-entrypoint.sh"]
    assert (cfg.working_dir, cfg.user) == ("/srv", "101:101")
    assert cfg.exposed_ports == ["443/tcp", "80/tcp"]
    assert cfg.volumes == ["/data"]
    assert cfg.labels == {"maintainer": "x"}
    assert cfg.diff_ids == [D1, D2]
    assert cfg.history[1] == HistoryEntry(created_by="ENV A=b=c", empty_layer=True)


def test_image_config_round_trip_keeps_unknown_keys() -> None:
    cfg = ImageConfig.from_dict(DOCKER_STYLE)
    again = json.loads(cfg.to_json())
    assert again == DOCKER_STYLE
    assert ImageConfig.from_json(cfg.to_json()) == cfg


def test_image_config_canonical_bytes() -> None:
    a = ImageConfig(env=["A=1"], cmd=["sh"], labels={"b": "2", "a": "1"})
    b = ImageConfig(env=["A=1"], cmd=["sh"], labels={"a": "1", "b": "2"})
    assert a.to_json() == b.to_json()
    assert b" " not in a.to_json()


def test_null_cmd_stays_null_and_empty_cmd_stays_empty() -> None:
    assert "Cmd" not in json.loads(ImageConfig().to_json())["config"]
    assert json.loads(ImageConfig(cmd=[]).to_json())["config"]["Cmd"] == []


@pytest.mark.parametrize(
    "bad",
    [
        b"not json",
        b"[]",
        json.dumps({"rootfs": {"type": "squash"}}).encode(),
        json.dumps({"config": []}).encode(),
    ],
)
def test_image_config_rejects(bad: bytes) -> None:
    with pytest.raises(StorageError):
        ImageConfig.from_json(bad)


def test_manifest_round_trip() -> None:
    m = Manifest(
        config=Descriptor(mt.CONFIG, D1, 10),
        layers=[Descriptor(mt.LAYER_GZIP, D2, 20, annotations={"x": "y"})],
    )
    again = Manifest.from_json(m.to_json())
    assert again == m
    assert json.loads(m.to_json())["schemaVersion"] == 2


@pytest.mark.parametrize(
    "doc",
    [
        {"schemaVersion": 1},
        {"schemaVersion": 2, "mediaType": mt.INDEX, "manifests": []},
        {"schemaVersion": 2, "layers": []},
        {"schemaVersion": 2, "config": {"mediaType": mt.CONFIG, "digest": "sha256:short", "size": 1}},
        {"schemaVersion": 2, "config": {"mediaType": mt.CONFIG, "digest": D1, "size": -1}},
        {
            "schemaVersion": 2,
            "config": {"mediaType": mt.CONFIG, "digest": "sha256:../../etc/passwd", "size": 1},
        },
    ],
)
def test_manifest_rejects(doc: dict) -> None:
    with pytest.raises(StorageError):
        Manifest.from_json(json.dumps(doc))


def test_index_keeps_foreign_entries() -> None:
    raw = {
        "schemaVersion": 2,
        "manifests": [
            {
                "mediaType": mt.MANIFEST,
                "digest": D1,
                "size": 3,
                "platform": {"os": "linux", "architecture": "arm64"},
                "annotations": {mt.REF_NAME: "a:1"},
                "urls": ["x"],
            }
        ],
        "annotations": {"k": "v"},
    }
    index = Index.from_json(json.dumps(raw))
    assert index.find("a:1") is not None and index.find("a:2") is None
    again = json.loads(index.to_json())
    assert again["manifests"][0]["urls"] == ["x"]
    assert again["manifests"][0]["platform"]["architecture"] == "arm64"
    assert again["annotations"] == {"k": "v"}
