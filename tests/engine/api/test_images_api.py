"""The image routes against a real store holding busybox."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest

from sandbox.config import Settings
from sandbox.engine.api import build_app
from sandbox.engine.events import EventBus
from sandbox.engine.http.testing import TestClient
from sandbox.storage import Store

from ..conftest import Api


def _events(api: Api) -> list[tuple[str, str]]:
    ns = time.time_ns()
    r = api.client.get("/events", query={"since": "0", "until": f"{ns // 10**9}.{ns % 10**9:09d}",
                                         "filters": json.dumps({"type": ["image"]})})
    return [(d["Action"], d["Actor"]["Attributes"]["name"]) for d in map(json.loads, r.body.splitlines())]


def test_list(api: Api) -> None:
    images = api.client.get("/v1.41/images/json").json()
    image = api.store.image("busybox")
    assert len(images) == 1
    summary = images[0]
    assert summary["Id"] == image.id and summary["RepoTags"] == ["busybox:latest"]
    assert summary["RepoDigests"] == [f"busybox@{image.manifest_digest}"]
    assert summary["Created"] == 0 and summary["Size"] == image.size and summary["SharedSize"] == -1
    assert summary["Containers"] == -1 and summary["ParentId"] == "" and summary["Labels"] is None


@pytest.mark.parametrize("filters, tags", [
    ({"reference": {"busybox": True}}, ["busybox:latest"]),
    ({"reference": {"busy*": True}}, ["busybox:latest"]),
    ({"reference": {"me/*:v1": True}}, ["me/app:v1"]),
    ({"reference": {"alpine": True}}, None),
    ({"dangling": {"false": True}}, ["busybox:latest", "me/app:v1"]),
    ({"dangling": {"true": True}}, None),
])
def test_list_filters(api: Api, filters: dict, tags: list[str] | None) -> None:
    api.client.post("/images/busybox/tag", query={"repo": "me/app", "tag": "v1"})
    images = api.client.get("/images/json", query={"filters": json.dumps(filters)}).json()
    assert (images[0]["RepoTags"] if images else None) == tags


def test_list_rejects_unknown_filters(api: Api) -> None:
    r = api.client.get("/images/json", query={"filters": json.dumps({"color": ["red"]})})
    assert r.status == 400 and r.json()["message"] == "invalid filter 'color'"


@pytest.mark.parametrize("name", ["busybox", "busybox:latest", "docker.io/library/busybox",
                                  "docker.io/library/busybox:latest", "library/busybox"])
def test_names_resolve(api: Api, name: str) -> None:
    assert api.client.get(f"/images/{name}/json").json()["Id"] == api.store.image("busybox").id


def test_ids_resolve(api: Api) -> None:
    image_id = api.store.image("busybox").id
    for name in (image_id, image_id[7:], image_id[7:19], image_id[:15]):
        assert api.client.get(f"/images/{name}/json").json()["Id"] == image_id, name


def test_unknown_image_is_dockerds_404(api: Api) -> None:
    r = api.client.get("/images/nope/json")
    assert r.status == 404 and r.json()["message"] == "No such image: nope:latest"
    assert api.client.get("/images/abcdef012345/json").json()["message"] == "No such image: abcdef012345"


def test_inspect_shape(api: Api) -> None:
    doc = api.client.get("/images/busybox/json").json()
    image = api.store.image("busybox")
    config = api.store.image_config(image)
    assert doc["RootFS"] == {"Type": "layers", "Layers": config.diff_ids}
    assert doc["RootFS"]["Layers"][0].startswith("sha256:")
    assert doc["Created"] == "1970-01-01T00:00:00Z" and doc["Size"] == image.size
    assert doc["RepoTags"] == ["busybox:latest"] and doc["RepoDigests"][0].startswith("busybox@sha256:")
    assert doc["Config"]["Cmd"] == ["sh"] and doc["Config"]["Env"][0].startswith("PATH=")
    assert doc["ContainerConfig"]["Cmd"] is None and doc["ContainerConfig"]["Env"] == doc["Config"]["Env"]
    assert doc["Os"] == "linux" and doc["Architecture"] == config.architecture
    assert doc["GraphDriver"]["Name"] == "copy" and doc["GraphDriver"]["Data"]["UpperDir"].endswith("/diff")
    assert set(doc) >= {"Id", "Parent", "Comment", "DockerVersion", "Author", "Metadata"}


def test_history(api: Api) -> None:
    history = api.client.get("/images/busybox/history").json()
    image = api.store.image("busybox")
    assert len(history) == 1
    top = history[0]
    assert top["Id"] == image.id and top["Tags"] == ["busybox:latest"] and top["Size"] == image.size
    assert "BusyBox" in top["CreatedBy"] and top["Created"] == 0


def test_tag_then_untag_then_delete(api: Api) -> None:
    image_id = api.store.image("busybox").id
    assert api.client.post("/images/busybox/tag", query={"repo": "me/app", "tag": "v1"}).status == 201
    assert api.client.post(f"/images/{image_id[7:19]}/tag", query={"repo": "localhost:5000/x"}).status == 201
    assert sorted(api.store.image("busybox").tags) == ["busybox:latest", "localhost:5000/x:latest", "me/app:v1"]
    assert api.client.delete("/images/me/app:v1").json() == [{"Untagged": "me/app:v1"}]
    assert api.client.delete("/images/localhost:5000/x").json() == [{"Untagged": "localhost:5000/x:latest"}]
    records = api.client.delete("/images/busybox").json()
    assert records[0] == {"Untagged": "busybox:latest"} and records[1] == {"Deleted": image_id}
    assert any(r.get("Deleted", "").startswith("sha256:") and r["Deleted"] != image_id for r in records[2:])
    assert api.client.get("/images/json").json() == []
    assert _events(api) == [("tag", "me/app:v1"), ("tag", "localhost:5000/x:latest"), ("untag", image_id),
                            ("untag", image_id), ("untag", image_id), ("delete", image_id)]


@pytest.mark.parametrize("query, status", [
    ({}, 400),
    ({"repo": "Upper/Case"}, 400),
    ({"repo": "ok", "tag": "bad tag"}, 400),
    ({"repo": "busybox@sha256:" + "0" * 64}, 400),
])
def test_bad_tags(api: Api, query: dict, status: int) -> None:
    r = api.client.post("/images/busybox/tag", query=query)
    assert r.status == status and r.json()["message"]


def test_tag_of_a_missing_image_is_404(api: Api) -> None:
    assert api.client.post("/images/nope/tag", query={"repo": "x"}).status == 404


@pytest.fixture
def used_api(settings: Settings, store: Store) -> Iterator[Api]:
    """The API with a container service that says c0ffee… uses every image."""
    events = EventBus()
    app = build_app(settings, store=store, events=events, image_in_use=lambda image_id: "c0ffee1234567890")
    with TestClient(app) as client:
        yield Api(client, store, events, None, settings)  # type: ignore[arg-type]


def test_an_image_in_use_is_409(used_api: Api) -> None:
    r = used_api.client.delete("/images/busybox")
    assert r.status == 409
    assert r.json()["message"] == ('conflict: unable to remove repository reference "busybox" (must force) - '
                                   f"container c0ffee123456 is using its referenced image "
                                   f"{used_api.store.image('busybox').short_id}")
    image_id = used_api.store.image("busybox").id
    r = used_api.client.delete(f"/images/{image_id}")
    assert r.status == 409 and "must be forced" in r.json()["message"]
    # Forced: the tag goes, the image stays for the container that runs on it.
    r = used_api.client.delete("/images/busybox", query={"force": "1"})
    assert r.status == 200 and r.json() == [{"Untagged": "busybox:latest"}]
    assert used_api.store.image(image_id).tags == []


def test_an_image_with_two_tags_in_use_can_lose_one(used_api: Api) -> None:
    used_api.client.post("/images/busybox/tag", query={"repo": "busybox", "tag": "copy"})
    assert used_api.client.delete("/images/busybox:copy").json() == [{"Untagged": "busybox:copy"}]


def test_prune(api: Api) -> None:
    assert api.client.post("/images/prune").json() == {"ImagesDeleted": None, "SpaceReclaimed": 0}
    image = api.store.image("busybox")
    r = api.client.post("/images/prune", query={"filters": json.dumps({"dangling": ["false"]})}).json()
    assert {"Deleted": image.id} in r["ImagesDeleted"] and r["SpaceReclaimed"] == image.size
    assert api.client.get("/images/json").json() == []


def test_prune_keeps_images_in_use(used_api: Api) -> None:
    r = used_api.client.post("/images/prune", query={"filters": json.dumps({"dangling": ["false"]})})
    assert r.json() == {"ImagesDeleted": None, "SpaceReclaimed": 0}


def test_pull_of_a_stored_image(api: Api) -> None:
    image = api.store.image("busybox")
    r = api.client.post("/images/create", query={"fromImage": "docker.io/library/busybox", "tag": "latest"},
                        headers={"X-Registry-Auth": "e30="})
    assert r.status == 200
    assert [json.loads(line) for line in r.body.splitlines()] == [
        {"status": "Pulling from library/busybox", "id": "latest"},
        {"status": f"Digest: {image.manifest_digest}"},
        {"status": "Status: Image is up to date for busybox:latest"},
    ]
    assert ("pull", "busybox:latest") in _events(api)


def test_pull_by_tag_in_the_name_and_by_digest(api: Api) -> None:
    image = api.store.image("busybox")
    r = api.client.post("/images/create", query={"fromImage": "busybox:latest"})
    assert r.body.splitlines()[-1] == b'{"status":"Status: Image is up to date for busybox:latest"}'
    r = api.client.post("/images/create", query={"fromImage": "busybox", "tag": image.manifest_digest})
    assert json.loads(r.body.splitlines()[-1])["status"].endswith(f"busybox@{image.manifest_digest}")


def test_pull_from_a_registry_that_does_not_answer_is_an_error_status(api: Api) -> None:
    # A name that is not stored goes to its registry; nothing listens on the discard port,
    # and the error comes as the reply's status, before any stream (as from dockerd).
    r = api.client.post("/images/create", query={"fromImage": "127.0.0.1:9/nope", "tag": "latest"})
    assert r.status == 500
    assert r.json()["message"].startswith("cannot talk to the registry 127.0.0.1:9")


def test_pull_with_a_bad_reference_is_400(api: Api) -> None:
    assert api.client.post("/images/create", query={"fromImage": "UPPER"}).status == 400
    assert api.client.post("/images/create", query={"fromSrc": "-"}).status == 400
