"""The docker Python SDK against the engine."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .conftest import Daemon

docker = pytest.importorskip("docker")


@pytest.fixture
def client(daemon: Daemon) -> Iterator[Any]:
    c = docker.DockerClient(base_url=daemon.docker_host, timeout=30)
    try:
        yield c
    finally:
        c.close()


def test_ping_and_version(client: Any) -> None:
    assert client.ping() is True
    v = client.version()
    assert v["ApiVersion"] == "1.47" and v["Components"][0]["Name"] == "Engine"
    assert client.api.api_version == "1.47"  # negotiated from /version


def test_images_list_get_tag_remove(client: Any) -> None:
    images = client.images.list()
    assert [i.tags for i in images] == [["busybox:latest"]]
    image = client.images.get("busybox")
    assert image.id == images[0].id and image.short_id.startswith("sha256:")
    assert client.images.get(image.id[7:19]).id == image.id  # id prefix, as the SDK's build uses
    assert image.tag("sdk/app", "v2")
    assert "sdk/app:v2" in client.images.get("busybox").tags
    client.images.remove("sdk/app:v2")
    with pytest.raises(docker.errors.ImageNotFound):
        client.images.get("sdk/app:v2")


def test_info_and_df(client: Any) -> None:
    assert client.info()["Images"] == 1
    assert client.df()["LayersSize"] > 0


def test_pull_of_a_stored_image(client: Any) -> None:
    assert client.images.pull("busybox", tag="latest").tags == ["busybox:latest"]
